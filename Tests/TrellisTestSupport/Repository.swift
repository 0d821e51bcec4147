import Foundation

/// Paths inside this repository, found from this file's own path (`#filePath`), so tests read
/// the checkout they were built from and never a folder outside it.
public enum Repository {
    /// The repository root: this file is `<root>/Tests/TrellisTestSupport/Repository.swift`.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.standardizedFileURL.path
    }()

    /// The absolute path of `relative` (a path inside the repository, without a leading `/`).
    public static func path(_ relative: String) -> String {
        root + "/" + relative
    }

    /// `Tests/TrellisDOTFixtures`, the fixtures shared by the DOT, engine and CLI tests.
    public static let fixtures = path("Tests/TrellisDOTFixtures")

    /// `Tests/TrellisDOTFixtures/attractor-samples`, the repository's copy of the Attractor corpus.
    public static let attractorSamples = fixtures + "/attractor-samples"

    /// The C plugin ABI header's directory (`-I` for plugins compiled by tests).
    public static let pluginIncludeDirectory = path("Sources/CTrellisPlugin/include")

    /// The shipped C example plugin's source.
    public static let cExampleSource = path("Plugins/CExample/example_plugin.c")

    /// Absolute paths of the `.dot` files directly in `directory`, sorted by name; empty when
    /// the folder does not exist (callers that need files must check the count).
    public static func dotFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".dot") }.sorted().map { directory + "/" + $0 }
    }
}
