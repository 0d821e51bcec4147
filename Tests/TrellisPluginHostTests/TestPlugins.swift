import Foundation
import Synchronization
import TrellisDOT
import TrellisEngine
import TrellisPluginHost

/// Builds the test plugins from C source with `cc`, once per test run, into one temporary
/// directory; tests copy the libraries they need into their own plugin directories.
enum TestPlugins {
    /// The repository root (for the header and `Plugins/CExample`).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let includeDirectory = repositoryRoot + "/Sources/CTrellisPlugin/include"

    /// Where built libraries go.
    static let buildDirectory: String = {
        let path = NSTemporaryDirectory() + "trellis-plugin-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return path
    }()

    private static let built = Mutex<[String: String]>([:])

    /// The path of the library built from `source` under `name` (built on first use).
    static func library(_ name: String, source: String, defines: [String] = []) throws -> String {
        let key = name
        if let path = built.withLock({ $0[key] }) { return path }
        let sourcePath = buildDirectory + "/\(name).c"
        let output = buildDirectory + "/lib\(name).so"
        // Tests ask for the same library concurrently: each compiles to its own file and renames
        // it into place, so nobody ever copies a half-written library.
        let partial = output + ".\(UUID().uuidString).partial"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        try compile(["-std=c11", "-O1", "-shared", "-fPIC", "-I", includeDirectory] + defines + [sourcePath, "-o", partial, "-lpthread"])
        guard rename(partial, output) == 0 else {
            throw CompileFailure(message: "cannot move \(partial) to \(output): errno \(errno)")
        }
        built.withLock { $0[key] = output }
        return output
    }

    /// The shipped C example plugin.
    static func cExample() throws -> String {
        let source = try String(contentsOfFile: repositoryRoot + "/Plugins/CExample/example_plugin.c", encoding: .utf8)
        return try library("cexample", source: source)
    }

    /// Runs the C compiler (`cc`, or `c++` when `cplusplus`); throws with its output on failure.
    static func compile(_ arguments: [String], cplusplus: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [cplusplus ? "c++" : "cc"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CompileFailure(message: "\(process.arguments!.joined(separator: " ")) failed:\n" + String(decoding: output, as: UTF8.self))
        }
    }

    struct CompileFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// A private plugin directory and staging directory for one test.
struct PluginSandbox {
    let root: String
    let plugins: String
    let staging: PluginStaging

    init() throws {
        root = NSTemporaryDirectory() + "trellis-plugin-sandbox-\(UUID().uuidString)"
        plugins = root + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        staging = PluginStaging(directory: root + "/staging")
    }

    /// Copies a built library into the plugin directory as `name`.
    @discardableResult
    func install(_ library: String, as name: String) throws -> String {
        let destination = plugins + "/" + name
        try? FileManager.default.removeItem(atPath: destination)
        try FileManager.default.copyItem(atPath: library, toPath: destination)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination)
        return destination
    }

    /// A host over this sandbox's plugin directory.
    func host(builtins: HandlerRegistry = .builtin) -> PluginHost {
        PluginHost(directories: [plugins], builtins: builtins, staging: staging)
    }
}

/// Runs the handler registered as `type` in `registry` on a fresh request.
func invoke(_ registry: HandlerRegistry, _ type: String, context: [String: ContextValue] = [:],
            attributes: [(String, String)] = [], events: any EventSink = DiscardingEventSink(),
            adapters: AdapterSet = AdapterSet()) async throws -> Outcome {
    guard let registration = registry.handler(for: type) else {
        throw TestPlugins.CompileFailure(message: "no handler for '\(type)'; registry has \(registry.typeIDs)")
    }
    let node = NodeSpec(id: "n_" + type.replacingOccurrences(of: ".", with: "_"), type: type,
                        attributes: Attributes(attributes.map { ($0.0, AttributeValue($0.1)) }), index: 0)
    let request = HandlerRequest(node: node, context: Context(context), adapters: adapters, services: RunServices(events: events))
    return try await registration.handler.execute(request)
}
