import Foundation
import Testing
import TrellisEngine
import TrellisPluginHost

/// `trellis plugins new` then `trellis plugins build` produce a plugin that loads on the
/// first try, and the scaffold's example graph runs on its node type. Drives the `trellis`
/// executable built beside this test bundle, as a user would.
// Five minutes: a fresh checkout builds the plugin packages from nothing (about two minutes
// on two cores, next to the other suites); the build is shared, so most of it is waiting.
@Suite(.timeLimit(.minutes(5))) struct ScaffoldTests {
    /// The `trellis` executable next to the test bundle.
    static let trellis: String = {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        // On Linux the test runner is `<bin>/<Package>PackageTests.xctest`; elsewhere it may sit deeper in a bundle.
        while !FileManager.default.isExecutableFile(atPath: directory.path + "/trellis"), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.path + "/trellis"
    }()

    private static func trellis(_ arguments: [String]) throws -> String {
        #expect(FileManager.default.isExecutableFile(atPath: Self.trellis), "no trellis executable beside the test bundle at \(Self.trellis)")
        // TRELLIS_HOME is cleared so the scaffold finds this checkout from the executable's location, as documented.
        let (status, output) = try SwiftPluginProcess.capture("/usr/bin/env", ["-u", "TRELLIS_HOME", Self.trellis] + arguments)
        guard status == 0 else {
            throw SwiftPluginProcess.Failure(description: "trellis \(arguments.joined(separator: " ")) exited with \(status):\n\(output)")
        }
        return output
    }

    private func scaffoldBuildAndRun(name: String, language: String, expectedType: String, expectedKey: String) async throws {
        let sandbox = try SwiftPluginSandbox()
        let parent = (sandbox.plugins as NSString).deletingLastPathComponent
        let created = try await SwiftPluginProcess.offThePool { try Self.trellis(["plugins", "new", name, "--lang", language, "--dir", parent]) }
        #expect(created.contains(expectedType), "\(created)")
        let package = parent + "/" + name
        for file in ["README.md", "graph.dot"] {
            #expect(FileManager.default.fileExists(atPath: package + "/" + file), "the scaffold has \(file)")
        }
        let built = try await SwiftPluginProcess.offThePool {
            try Self.trellis(["plugins", "build", package, "--into", sandbox.plugins, "--scratch-path", parent + "/scratch"])
        }
        #expect(built.contains("Installed " + sandbox.plugins + "/"), "\(built)")

        let host = try sandbox.loadedHost()
        #expect(host.current.registry.handler(for: expectedType) != nil, "registry has \(host.current.registry.typeIDs)")
        let compiled = try PipelineLoader.load(path: package + "/graph.dot", registry: host.current.registry)
        let result = await Engine().run(compiled)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context[expectedKey] == .string("Hello, Trellis!"))
    }

    @Test func cScaffoldBuildsLoadsAndRuns() async throws {
        try await scaffoldBuildAndRun(name: "hello-c", language: "c", expectedType: "hello_c.greet", expectedKey: "hello_c.greeting")
    }

    @Test func swiftScaffoldBuildsLoadsAndRuns() async throws {
        try await scaffoldBuildAndRun(name: "HelloSwift", language: "swift", expectedType: "helloswift.greet", expectedKey: "helloswift.greeting")
    }

    @Test func newRefusesBadNamesAndExistingDirectories() async throws {
        let sandbox = try SwiftPluginSandbox()
        let parent = (sandbox.plugins as NSString).deletingLastPathComponent
        let (badName, badNameOutput) = try SwiftPluginProcess.capture(Self.trellis, ["plugins", "new", "9lives", "--lang", "c", "--dir", parent])
        #expect(badName != 0)
        #expect(badNameOutput.contains("not a usable plugin name"), "\(badNameOutput)")
        let (badLanguage, badLanguageOutput) = try SwiftPluginProcess.capture(Self.trellis, ["plugins", "new", "ok", "--lang", "rust", "--dir", parent])
        #expect(badLanguage != 0)
        #expect(badLanguageOutput.contains("--lang must be 'swift' or 'c'"), "\(badLanguageOutput)")
        // "plugins" already exists under parent and is not empty once a library is in it.
        try "x".write(toFile: sandbox.plugins + "/keep.txt", atomically: true, encoding: .utf8)
        let (existing, existingOutput) = try SwiftPluginProcess.capture(Self.trellis, ["plugins", "new", "plugins", "--lang", "c", "--dir", parent])
        #expect(existing != 0)
        #expect(existingOutput.contains("already exists and is not empty"), "\(existingOutput)")
    }
}
