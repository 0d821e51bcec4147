import Foundation
import Testing
import TrellisTestSupport

/// Locates the test fixtures inside the repository (through `Repository`), so tests run from a
/// clean clone without bundle resources. They live in `Tests/TrellisDOTFixtures`, outside the
/// test target's folder, because files SwiftPM does not handle inside a target folder make it warn.
enum Fixtures {
    /// `Tests/TrellisDOTFixtures`.
    static let directory: String = Repository.fixtures

    /// Absolute paths of the `.dot` files in `Fixtures/<folder>`, sorted by name.
    static func dotFiles(in folder: String) -> [String] {
        dotFiles(atAbsolutePath: directory + "/" + folder)
    }

    /// Absolute paths of the `.dot` files in the folder at `path`, sorted; empty when it does not exist.
    static func dotFiles(atAbsolutePath path: String) -> [String] {
        Repository.dotFiles(in: path)
    }

    /// The text of a fixture file.
    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The bytes of a fixture file (for inputs that are not valid text on purpose).
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
