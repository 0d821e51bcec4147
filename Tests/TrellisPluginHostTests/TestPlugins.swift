import Foundation
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// Builds the test plugins from C source with `cc`, once per test run, into one temporary
/// directory; tests copy the libraries they need into their own plugin directories.
enum TestPlugins {
    static let includeDirectory = Repository.pluginIncludeDirectory

    /// Where built libraries go (removed when the test run ends).
    static let buildDirectory: String = {
        do {
            return try TemporaryDirectory.make("plugin-tests")
        } catch {
            fatalError("cannot create the plugin build directory: \(error)")
        }
    }()

    /// Libraries built so far, by name. Guarded by an `NSLock` (a pthread mutex) rather than a
    /// `Synchronization.Mutex`, whose futex the thread sanitizer cannot see (it reported a race).
    private final class Built: @unchecked Sendable {
        let lock = NSLock()
        var paths: [String: String] = [:]
    }

    private static let built = Built()

    /// The path of the library built from `source` under `name` (built on first use).
    static func library(_ name: String, source: String, defines: [String] = []) throws -> String {
        let key = name
        if let path = built.lock.withLock({ built.paths[key] }) { return path }
        // Tests ask for the same library concurrently: `CPlugin` compiles each request to its own
        // file and renames it into place, so nobody ever copies a half-written library.
        let output = try CPlugin.build(source: source, name: name, into: buildDirectory, defines: defines)
        built.lock.withLock { built.paths[key] = output }
        return output
    }

    /// The shipped C example plugin.
    static func cExample() throws -> String {
        let source = try String(contentsOfFile: Repository.cExampleSource, encoding: .utf8)
        return try library("cexample", source: source)
    }

    /// Runs the C compiler (`cc`, or `c++` when `cplusplus`); throws with its output on failure.
    static func compile(_ arguments: [String], cplusplus: Bool = false) throws {
        try CPlugin.compile(arguments, cplusplus: cplusplus)
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
        root = try TemporaryDirectory.make("plugin-sandbox")
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
