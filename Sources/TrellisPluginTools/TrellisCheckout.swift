import Foundation

/// A Trellis source checkout: the package plugin scaffolds depend on for `TrellisPluginKit`
/// and copy `trellis_plugin.h` from.
package struct TrellisCheckout: Sendable {
    /// The checkout's root directory (the one holding Trellis's `Package.swift`).
    package var root: String

    /// The C ABI header inside the checkout.
    package var headerPath: String { root + "/Sources/CTrellisPlugin/include/trellis_plugin.h" }

    /// The environment variable that names a checkout explicitly.
    package static let environmentVariable = "TRELLIS_HOME"

    /// Finds the checkout: `TRELLIS_HOME` when set, else the nearest ancestor of this
    /// executable's directory whose `Package.swift` declares the package "Trellis" (an
    /// executable run from a checkout's build folder belongs to that checkout).
    package static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ScaffoldError) -> TrellisCheckout {
        if let home = environment[environmentVariable], !home.isEmpty {
            let root = URL(fileURLWithPath: home).standardizedFileURL.path
            guard isTrellisRoot(root) else {
                throw ScaffoldError("\(environmentVariable)=\(home) is not a Trellis checkout (no Package.swift declaring the package \"Trellis\" there); point it at the directory holding Trellis's Package.swift")
            }
            return TrellisCheckout(root: root)
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent().standardizedFileURL
        while true {
            if isTrellisRoot(directory.path) { return TrellisCheckout(root: directory.path) }
            let parent = directory.deletingLastPathComponent().standardizedFileURL
            if parent.path == directory.path { break }
            directory = parent
        }
        throw ScaffoldError("cannot find a Trellis checkout: this trellis (\(executable)) was not built inside one; set \(environmentVariable) to the directory holding Trellis's Package.swift")
    }

    /// A checkout rooted at `root`.
    package init(root: String) {
        self.root = root
    }

    /// Whether `directory` holds the manifest of the package named "Trellis".
    package static func isTrellisRoot(_ directory: String) -> Bool {
        guard let manifest = try? String(contentsOfFile: directory + "/Package.swift", encoding: .utf8) else { return false }
        return manifest.contains("name: \"Trellis\"")
    }
}
