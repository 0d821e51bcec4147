import Foundation
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// Swift plugins built from source during the test run, each once, shared by every test.
///
/// A Swift package build takes a minute, so each build is a lazily started task that every
/// test awaits. Each build has its own scratch path under the repository's `.build` folder:
/// not the package's own build folder, whose lock the running `swift test` may hold, but a
/// stable one, so the next test run rebuilds incrementally instead of from nothing.
enum SwiftPluginBuilds {
    /// `.build/test-plugins/<name>`, one scratch folder per build.
    static func scratchPath(_ name: String) -> String {
        Repository.path(".build/test-plugins/" + name)
    }

    /// A temporary directory for this test run's sandboxes (removed when the run ends).
    static let workDirectory: String = {
        do {
            return try TemporaryDirectory.make("swift-plugin-tests")
        } catch {
            fatalError("cannot create the Swift plugin test directory: \(error)")
        }
    }()

    /// `libGreetingPlugin.so`, built from `examples/GreetingPlugin` the way a plugin author
    /// builds it: its own package, depending on this repository by path.
    static func greeting() async throws -> String { try await greetingBuild.value }

    /// `libTrellisStandardPlugin.so` and `libTrellisMockAdapters.so`, built from `Plugins/`.
    static func standardPlugins() async throws -> (session: String, mock: String) { try await standardBuild.value }

    private static let greetingBuild = Task { () throws -> String in
        try await SwiftPluginProcess.offThePool { try buildGreeting() }
    }

    private static let standardBuild = Task { () throws -> (session: String, mock: String) in
        try await SwiftPluginProcess.offThePool { try buildStandardPlugins() }
    }

    private static func buildGreeting() throws -> String {
        let package = Repository.path("examples/GreetingPlugin")
        let scratch = scratchPath("greeting")
        try SwiftPluginProcess.run("/usr/bin/env", ["swift", "build", "--package-path", package, "--scratch-path", scratch])
        let bin = try SwiftPluginProcess.output("/usr/bin/env", ["swift", "build", "--package-path", package, "--scratch-path", scratch, "--show-bin-path"])
        return bin.trimmingCharacters(in: .whitespacesAndNewlines) + "/libGreetingPlugin.so"
    }

    private static func buildStandardPlugins() throws -> (session: String, mock: String) {
        let scratch = scratchPath("standard")
        for product in ["TrellisStandardPlugin", "TrellisMockAdapters"] {
            try SwiftPluginProcess.run("/usr/bin/env", ["swift", "build", "--package-path", Repository.root, "--scratch-path", scratch, "--product", product])
        }
        let bin = try SwiftPluginProcess.output("/usr/bin/env", ["swift", "build", "--package-path", Repository.root, "--scratch-path", scratch, "--show-bin-path"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (bin + "/libTrellisStandardPlugin.so", bin + "/libTrellisMockAdapters.so")
    }
}

/// A plugin directory of its own (mode 0755, as the host requires) with a staging directory.
struct SwiftPluginSandbox {
    /// The plugin directory.
    let plugins: String
    /// Where the host stages copies.
    let staging: PluginStaging

    init() throws {
        let root = SwiftPluginBuilds.workDirectory + "/sandbox-\(UUID().uuidString)"
        plugins = root + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        staging = PluginStaging(directory: root + "/staging")
    }

    /// Copies `library` into the plugin directory and returns the installed path.
    @discardableResult
    func install(_ library: String) throws -> String {
        let destination = plugins + "/" + (library as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: library, toPath: destination)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination)
        return destination
    }

    /// A host over the plugin directory on top of `builtins`, with every plugin loaded.
    func loadedHost(builtins: HandlerRegistry = .builtin) throws -> PluginHost {
        let host = PluginHost(directories: [plugins], builtins: builtins, staging: staging)
        let failures = host.reload().filter { $0.status == .failed }
        guard failures.isEmpty else {
            throw SwiftPluginProcess.Failure(description: "plugins failed to load: \(failures.map(\.description).joined(separator: "; "))")
        }
        return host
    }
}

/// Runs build tools for the tests.
enum SwiftPluginProcess {
    /// A tool that failed, with its output.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs blocking work (a build) on a Dispatch thread, so the test's cooperative threads
    /// stay free for the tests running meanwhile.
    static func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result<Value, any Error> { try work() })
            }
        }
    }

    /// Runs a tool to completion; throws with its output when it fails.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let (status, output) = try capture(executable, arguments, environment: environment)
        guard status == 0 else {
            throw Failure(description: "\(([executable] + arguments).joined(separator: " ")) exited with \(status):\n\(output)")
        }
    }

    /// Runs a tool and returns its standard output; throws when it fails.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe.closingOnExec()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(([executable] + arguments).joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a tool and returns its exit status and its standard output and error, interleaved.
    static func capture(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let pipe = Pipe.closingOnExec()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
