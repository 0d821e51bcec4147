import Foundation

/// Executables built into the same products folder as the running test bundle.
///
/// On Linux `swift test` runs `<bin>/TrellisPackageTests.xctest`, so `trellis` sits beside
/// it; on other platforms the bundle's binary lies a few folders deeper, so the search walks
/// up a few levels. `TrellisCLITests` depends on the `trellis` target, so building the tests
/// builds the executable first.
public enum BuiltProducts {
    /// A product that is not where the tests expect it.
    public struct Missing: Error, CustomStringConvertible {
        /// What was looked for, and where.
        public var description: String
    }

    /// The running test binary, symlinks resolved (`/proc/self/exe` where it exists, because
    /// `argv[0]` may be relative or a runner's name).
    public static let testBinary: URL = {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }()

    /// The path of the executable `name` beside the test bundle; `$override` (an environment
    /// variable naming a path) wins when it is set and not empty.
    public static func executable(_ name: String, override: String? = nil) throws -> String {
        if let override, let path = ProcessInfo.processInfo.environment[override], !path.isEmpty { return path }
        var folder = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw Missing(description: "no \(name) executable beside \(testBinary.path); build the tests with `swift build --build-tests`")
    }

    /// The `trellis` command-line tool (or `$TRELLIS_EXECUTABLE`).
    public static func trellis() throws -> String {
        try executable("trellis", override: "TRELLIS_EXECUTABLE")
    }
}
