import Foundation
import Testing
import TrellisTestSupport

/// Every command's options come from one table: help lists them, the scanner takes them, and
/// a misspelt or incomplete option is answered the way argument parsers answer it.
@Suite(.timeLimit(.minutes(1))) struct OptionTableTests {
    private func trellis(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(try BuiltProducts.trellis(), arguments, in: NSTemporaryDirectory())
    }

    @Test("a misspelt option gets the nearest known name", arguments: [
        (["run", "x.dot", "--jsn"], "unknown option '--jsn'; did you mean '--json'?"),
        (["serve", "--stdoi"], "unknown option '--stdoi'; did you mean '--stdio'?"),
        (["plugins", "list", "--plugin-dirs", "p"], "did you mean '--plugin-dir'?"),
        (["rnu"], "unknown command 'rnu' (did you mean 'run'?)"),
    ])
    func nearestNameSuggested(arguments: [String], message: String) throws {
        let run = try trellis(arguments)
        #expect(run.status == 2)
        #expect(run.errors.contains(message), "\(run.errors)")
    }

    @Test("a value option followed by another option is missing its value")
    func missingValue() throws {
        let run = try trellis(["run", "x.dot", "--logs", "--json"])
        #expect(run.status == 2)
        #expect(run.errors.contains("option '--logs' needs a value (DIR)"), "\(run.errors)")
    }

    @Test("help lists every option the scanner accepts, with usage built from the same table")
    func helpMatchesScanner() throws {
        let help = try trellis(["help", "serve"])
        #expect(help.status == 0)
        #expect(help.output.hasPrefix("Usage: trellis serve --stdio [--config FILE] [--llm PROVIDER]"))
        for option in ["--stdio", "--llm PROVIDER", "--base-url URL", "--store FILE", "--heartbeat-interval TYPE=MS", "--retain-turns N"] {
            #expect(help.output.contains("\n  \(option)"), "\(option) missing from help")
        }
    }
}
