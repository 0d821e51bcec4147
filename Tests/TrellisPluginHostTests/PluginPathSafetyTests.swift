import Foundation
import Testing
import TrellisEngine
@testable import TrellisPluginHost
import TrellisTestSupport

/// Plugin path checks: every directory from a plugin up to `/` is judged (sticky shared
/// directories such as /tmp are safe on the way, never as a plugin directory), and the file
/// checked is the file loaded, whatever happens to its path after the check.
@Suite(.timeLimit(.minutes(1))) struct PluginPathSafetyTests {
    /// The `swap` plugin compiled to write `variant` (numbers no other suite builds, so each
    /// test's bytes are new to the process-wide image cache).
    private static func variant(_ variant: Int) throws -> String {
        try TestPlugins.library("swap\(variant)", source: CorpusSources.variant, defines: ["-DVARIANT=\(variant)"])
    }

    /// What the `swap.value` node type of `loaded` writes.
    private func value(of loaded: LoadedPlugin) async throws -> ContextValue? {
        let registry = GenerationBuilder.build(number: 1, builtins: .builtin, plugins: [loaded], callTimeout: nil).generation.registry
        return try await invoke(registry, "swap.value").contextUpdates["value"]
    }

    /// `root/levels...` created with the given modes, outermost first; returns the innermost.
    private func directories(under root: String, _ levels: [(String, mode_t)]) throws -> String {
        var path = root
        for (name, mode) in levels {
            path += "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            chmod(path, mode)
        }
        return path
    }

    @Test func groupWritableGrandparentOfAPluginDirectoryIsRefusedByName() throws {
        let root = try TemporaryDirectory.make("grandparent")
        let plugins = try directories(under: root, [("shared", 0o775), ("team", 0o755), ("plugins", 0o755)])
        try FileManager.default.copyItem(atPath: TestPlugins.cExample(), toPath: plugins + "/libcexample.so")
        let host = PluginHost(directories: [plugins], builtins: .builtin, staging: PluginStaging(directory: root + "/staging"))
        let report = try #require(host.reload().first { $0.path == plugins })
        #expect(report.status == .failed)
        #expect(report.message.contains("directory \(root)/shared is writable by its group (mode 0775) and has no sticky bit"), "\(report)")
        #expect(report.message.contains("chmod g-w \(root)/shared"), "\(report)")
        #expect(host.current.registry.handler(for: "cexample.uppercase") == nil)
    }

    @Test func worldWritableGrandparentOfAPluginFileIsRefusedByName() throws {
        let root = try TemporaryDirectory.make("grandparent")
        let inner = try directories(under: root, [("open", 0o777), ("mine", 0o755)])
        let file = inner + "/libcexample.so"
        try FileManager.default.copyItem(atPath: TestPlugins.cExample(), toPath: file)
        chmod(file, 0o755)
        let result = PluginLoader.inspect(file: file, staging: PluginStaging(directory: root + "/staging"))
        guard case .failure(let error) = result else {
            Issue.record("a plugin under a world-writable grandparent loaded")
            return
        }
        #expect(error.kind == .insecure)
        #expect(error.reason.contains("directory \(root)/open is writable by every user (mode 0777) and has no sticky bit"), "\(error)")
        #expect(error.reason.contains("rename \(inner)"), "\(error)")
    }

    @Test func stickySharedDirectoryIsSafeOnTheWayButNeverAsThePluginDirectory() async throws {
        let root = try TemporaryDirectory.make("sticky")
        let shared = try directories(under: root, [("shared", 0o1777)])
        let mine = try directories(under: shared, [("mine", 0o755)])
        let library = try Self.variant(9101)
        try FileManager.default.copyItem(atPath: library, toPath: mine + "/libswap.so")
        chmod(mine + "/libswap.so", 0o755)
        let staging = PluginStaging(directory: root + "/staging")
        let loaded = try PluginLoader.load(file: mine + "/libswap.so", staging: staging)
        #expect(try await value(of: loaded) == .integer(9101))

        // A link whose target lies in the sticky directory is judged by the target: safe.
        let links = try directories(under: root, [("links", 0o755)])
        try FileManager.default.copyItem(atPath: library, toPath: shared + "/libswap.so")
        chmod(shared + "/libswap.so", 0o755)
        try FileManager.default.createSymbolicLink(atPath: links + "/libswap.so", withDestinationPath: shared + "/libswap.so")
        #expect(try await value(of: try PluginLoader.load(file: links + "/libswap.so", staging: staging)) == .integer(9101))

        // As a plugin directory it is refused, with advice that does not ask to tighten it.
        let host = PluginHost(directories: [shared], builtins: .builtin, staging: staging)
        let report = try #require(host.reload().first { $0.path == shared })
        #expect(report.status == .failed)
        #expect(report.message.contains("is shared (writable by others, mode 01777, with the sticky bit, like /tmp)"), "\(report)")
        #expect(!report.message.contains("chmod"), "\(report)")
    }

    @Test func aSwapAfterTheCheckCannotChangeWhatLoads() async throws {
        let root = try TemporaryDirectory.make("swap")
        let plugins = try directories(under: root, [("plugins", 0o755)])
        let path = plugins + "/libswap.so"
        try FileManager.default.copyItem(atPath: Self.variant(9102), toPath: path)
        chmod(path, 0o755)
        let checked = try FileSecurity.openChecked(file: path)
        // Another build lands between the check and the load: renamed over the path, as
        // compilers and package managers install.
        try FileManager.default.copyItem(atPath: Self.variant(9103), toPath: path + ".new")
        chmod(path + ".new", 0o755)
        #expect(rename(path + ".new", path) == 0)
        let loaded = try PluginLoader.load(checked, file: path, staging: PluginStaging(directory: root + "/staging"))
        #expect(try await value(of: loaded) == .integer(9102))
        let staged = try Data(contentsOf: URL(fileURLWithPath: loaded.image.stagedPath))
        #expect(staged == (try Data(contentsOf: URL(fileURLWithPath: Self.variant(9102)))))
    }

    @Test func aTamperedStagedCopyOfTheSameSizeIsReplacedNotLoaded() async throws {
        let root = try TemporaryDirectory.make("staged")
        let plugins = try directories(under: root, [("plugins", 0o755)])
        let library = try Self.variant(9104)
        try FileManager.default.copyItem(atPath: library, toPath: plugins + "/libswap.so")
        chmod(plugins + "/libswap.so", 0o755)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: library)))
        let staging = PluginStaging(directory: root + "/staging")
        try FileManager.default.createDirectory(atPath: staging.directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let stagedPath = staging.directory + "/" + ContentHash.hex(of: bytes) + ".so"
        let other = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.variant(9105))))
        // Same size, other bytes: what a size check alone would take for the right copy.
        var tampered = other.count >= bytes.count ? Array(other.prefix(bytes.count)) : other + [UInt8](repeating: 0, count: bytes.count - other.count)
        tampered[0] ^= 0xFF
        try Data(tampered).write(to: URL(fileURLWithPath: stagedPath))
        let loaded = try PluginLoader.load(file: plugins + "/libswap.so", staging: staging)
        #expect(try await value(of: loaded) == .integer(9104))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: stagedPath))) == bytes)
    }

    @Test func aFIFOInThePlaceOfAPluginIsRefusedWithoutHanging() throws {
        let root = try TemporaryDirectory.make("fifo")
        let plugins = try directories(under: root, [("plugins", 0o755)])
        #expect(mkfifo(plugins + "/libpipe.so", 0o600) == 0)
        let result = PluginLoader.inspect(file: plugins + "/libpipe.so", staging: PluginStaging(directory: root + "/staging"))
        guard case .failure(let error) = result else {
            Issue.record("a FIFO loaded as a plugin")
            return
        }
        #expect(error.reason.contains("is not a regular file"), "\(error)")
    }
}
