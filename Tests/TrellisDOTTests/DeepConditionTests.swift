import Testing
@testable import TrellisDOT

/// Conditions nested or chained far beyond any real pipeline: each returns a result or a
/// located error, in process — never a stack overflow (which would kill the test runner).
@Suite("Deep conditions")
struct DeepConditionTests {
    static let limit = ConditionParser.maximumNestingDepth

    /// The parse error of `text`, if it fails.
    static func error(_ text: String) -> ConditionSyntaxError? {
        do {
            _ = try ConditionParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// A graph whose one edge carries `condition`, written as DOT text.
    static func dot(condition: String) -> String {
        """
        digraph G {
          start [shape=Mdiamond]
          work [shape=box, prompt="do it"]
          exit [shape=Msquare]
          start -> work
          work -> exit [condition="\(condition)"]
          work -> exit
        }
        """
    }

    @Test("the limit is the one DOT uses for subgraph nesting")
    func sameLimitAsSubgraphs() {
        #expect(Self.limit == DOTSyntaxParser.maximumNestingDepth)
        #expect(Self.limit == 1_000)
    }

    @Test("15,000 open parentheses: an error at the first one past the limit")
    func fifteenThousandParentheses() {
        let found = Self.error(String(repeating: "(", count: 15_000))
        #expect(found?.column == Self.limit + 1)
        #expect(found?.message.contains("more than 1000 levels deep") == true)
    }

    @Test("100,000 '!': an error at the first one past the limit")
    func hundredThousandNegations() {
        let found = Self.error(String(repeating: "!", count: 100_000) + "outcome=success")
        #expect(found?.column == Self.limit + 1)
        #expect(found?.message.contains("more than 1000 levels deep") == true)
    }

    @Test("parentheses and '!' count together")
    func mixedNesting() {
        let text = String(repeating: "!(", count: Self.limit / 2) + "!a" + String(repeating: ")", count: Self.limit / 2)
        #expect(Self.error(text)?.column == Self.limit + 1)
    }

    @Test("a 100,000-clause && chain is one level: a list of 100,000 operands")
    func hundredThousandClauses() throws {
        let text = Array(repeating: "outcome=success", count: 100_000).joined(separator: " && ")
        guard case .and(let operands) = try ConditionParser.parse(text) else {
            Issue.record("expected an && list")
            return
        }
        #expect(operands.count == 100_000)
        #expect(operands.allSatisfy { $0 == .comparison(key: .outcome, op: .equal, literal: "success") })
    }

    @Test("nesting at the limit parses, and the tree is compared and released without overflowing")
    func deepestAllowed() throws {
        let parenthesized = String(repeating: "(", count: Self.limit) + "a=1" + String(repeating: ")", count: Self.limit)
        #expect(try ConditionParser.parse(parenthesized) == .comparison(key: .context("a"), op: .equal, literal: "1"))

        var negated = try ConditionParser.parse(String(repeating: "!", count: Self.limit) + "a")
        var depth = 0
        while case .not(let inner) = negated {
            depth += 1
            negated = inner
        }
        #expect(depth == Self.limit)

        // Alternating && and || inside each group: the deepest tree the limit allows (two tree levels per group).
        let alternating = (0..<Self.limit).map { "x\($0)=1 \($0.isMultiple(of: 2) ? "&&" : "||") (" }.joined()
            + "y=1" + String(repeating: ")", count: Self.limit)
        let first = try ConditionParser.parse(alternating)
        let second = try ConditionParser.parse(alternating)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
    }

    @Test("validate: the issue's inputs give located condition_syntax errors or pass, in process", arguments: [
        String(repeating: "(", count: 15_000),
        String(repeating: "!", count: 100_000) + "outcome=success",
    ])
    func validateTooDeep(condition: String) throws {
        let graph = try #require(ValidationHarness.graph(Self.dot(condition: condition)))
        let found = Validator.standard.validate(graph).filter { $0.rule == "condition_syntax" }
        #expect(found.count == 1)
        #expect(found.first?.severity == .error)
        #expect(found.first?.message.contains("more than 1000 levels deep") == true)
        // Line 6 holds the edge; the value starts at column 28, so the 1,001st '(' or '!' is at 28 + 1,000.
        #expect(found.first?.location?.line == 6)
        #expect(found.first?.location?.column == 28 + Self.limit)
    }

    @Test("validate: a 100,000-clause && condition is valid")
    func validateLongChain() throws {
        let condition = Array(repeating: "outcome=success", count: 100_000).joined(separator: " && ")
        let graph = try #require(ValidationHarness.graph(Self.dot(condition: condition)))
        let found = Validator.standard.validate(graph, in: ValidationContext(knownTypes: ValidationHarness.pipelineTypes))
        #expect(!Validator.hasErrors(found), "\(found.map(\.message))")
    }
}
