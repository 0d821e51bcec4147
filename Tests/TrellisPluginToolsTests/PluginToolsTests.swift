import Foundation
import Testing
import TrellisPluginTools
import TrellisTestSupport

/// The plugin authoring library used by `trellis plugins new` and `trellis plugins build`,
/// driven through its API (the end-to-end path through the executable is in
/// `TrellisPluginHostTests/ScaffoldTests.swift`).
@Suite struct PluginToolsTests {
    /// This checkout: the test file sits at `Tests/TrellisPluginToolsTests/` under its root.
    static let checkoutRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A fresh empty temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "trellis-plugin-tools-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func scaffoldNamesDeriveFromThePackageName() throws {
        let scaffold = try PluginScaffold(name: "word-count_v2", language: .swift)
        #expect(scaffold.pluginID == "word_count_v2")
        #expect(scaffold.moduleName == "WordCountV2")
        #expect(scaffold.typeID == "word_count_v2.greet")
        #expect(scaffold.outputKey == "word_count_v2.greeting")
    }

    @Test(arguments: ["", "9lives", "-dash", "has space", "dot.ted", "ünicode"])
    func scaffoldRefusesUnusableNames(_ name: String) {
        #expect(throws: ScaffoldError.self) { try PluginScaffold(name: name, language: .c) }
    }

    @Test func checkoutIsFoundThroughTrellisHome() throws {
        let checkout = try TrellisCheckout.locate(environment: [TrellisCheckout.environmentVariable: Self.checkoutRoot])
        #expect(checkout.root == URL(fileURLWithPath: Self.checkoutRoot).standardizedFileURL.path)
        #expect(FileManager.default.fileExists(atPath: checkout.headerPath))
        #expect(TrellisCheckout.isTrellisRoot(Self.checkoutRoot))
    }

    @Test func trellisHomeThatIsNoCheckoutIsRefused() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(!TrellisCheckout.isTrellisRoot(directory))
        #expect(throws: ScaffoldError.self) {
            try TrellisCheckout.locate(environment: [TrellisCheckout.environmentVariable: directory])
        }
    }

    @Test func swiftScaffoldDependsOnTheCheckout() throws {
        let parent = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let scaffold = try PluginScaffold(name: "echo", language: .swift)
        try scaffold.write(to: parent + "/echo", checkout: TrellisCheckout(root: Self.checkoutRoot))
        let manifest = try String(contentsOfFile: parent + "/echo/Package.swift", encoding: .utf8)
        #expect(manifest.contains("path: \"\(Self.checkoutRoot)\""))
        #expect(manifest.contains(".library(name: \"Echo\", type: .dynamic"))
        for file in ["Sources/Echo/Echo.swift", "README.md", "graph.dot", ".gitignore"] {
            #expect(FileManager.default.fileExists(atPath: parent + "/echo/" + file), "\(file) missing")
        }
    }

    @Test func scaffoldRefusesADirectoryThatIsNotEmpty() throws {
        let parent = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try "keep".write(toFile: parent + "/existing.txt", atomically: true, encoding: .utf8)
        let scaffold = try PluginScaffold(name: "echo", language: .c)
        #expect(throws: ScaffoldError.self) { try scaffold.write(to: parent, checkout: TrellisCheckout(root: Self.checkoutRoot)) }
    }

    @Test func cScaffoldBuildsAndInstallsIntoThePluginDirectory() throws {
        let parent = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let scaffold = try PluginScaffold(name: "hello-c", language: .c)
        try scaffold.write(to: parent + "/hello-c", checkout: TrellisCheckout(root: Self.checkoutRoot))
        #expect(FileManager.default.fileExists(atPath: parent + "/hello-c/include/trellis_plugin.h"))
        let builder = PluginPackageBuilder(packageDirectory: parent + "/hello-c", pluginDirectory: parent + "/plugins")
        let installed = try builder.buildAndInstall()
        #expect(installed.map { URL(fileURLWithPath: $0).lastPathComponent } == ["libhello_c.so"])
        for path in installed { #expect(FileManager.default.fileExists(atPath: path)) }
    }

    @Test func buildingSomethingThatIsNoDirectoryIsRefused() throws {
        let scratch = try TemporaryDirectory.make("plugin-tools")
        let builder = PluginPackageBuilder(packageDirectory: scratch + "/no-such-package", pluginDirectory: scratch + "/plugins")
        #expect(throws: ScaffoldError.self) { try builder.buildAndInstall() }
    }

    @Test func dynamicLibraryProductsAreReadFromThePackageDescription() {
        let describe = """
            {"name": "P", "products": [
              {"name": "Dyn", "type": {"library": ["dynamic"]}},
              {"name": "Auto", "type": {"library": ["automatic"]}},
              {"name": "Tool", "type": {"executable": null}}
            ]}
            """
        #expect(PluginPackageBuilder.dynamicLibraryProducts(describeJSON: describe) == ["Dyn"])
        #expect(PluginPackageBuilder.dynamicLibraryProducts(describeJSON: "not json").isEmpty)
    }
}
