import Testing
@testable import TrellisDOT

@Suite("Condition parser")
struct ConditionParserTests {
    @Test("empty and blank conditions are always true")
    func emptyIsAlways() throws {
        #expect(try ConditionParser.parse("") == .always)
        #expect(try ConditionParser.parse("  \t ") == .always)
    }

    @Test("the specification's forms and the corpus conditions")
    func specificationForms() throws {
        #expect(try ConditionParser.parse("outcome=success") == .comparison(key: .outcome, op: .equal, literal: "success"))
        #expect(try ConditionParser.parse("outcome == success") == .comparison(key: .outcome, op: .equal, literal: "success"))
        #expect(try ConditionParser.parse("outcome != fail") == .comparison(key: .outcome, op: .notEqual, literal: "fail"))
        #expect(try ConditionParser.parse("preferred_label=Fix") == .comparison(key: .preferredLabel, op: .equal, literal: "Fix"))
        #expect(
            try ConditionParser.parse("context.internal.loop_restart_count!=0")
                == .comparison(key: .context("internal.loop_restart_count"), op: .notEqual, literal: "0"))
        #expect(
            try ConditionParser.parse("context.tool_stdout=has_findings")
                == .comparison(key: .context("tool_stdout"), op: .equal, literal: "has_findings"))
        #expect(
            try ConditionParser.parse("outcome=success && context.tests_passed=true")
                == .and([
                    .comparison(key: .outcome, op: .equal, literal: "success"),
                    .comparison(key: .context("tests_passed"), op: .equal, literal: "true")]))
    }

    @Test("bare keys are context keys and test truthiness")
    func bareKeys() throws {
        #expect(try ConditionParser.parse("tool_stdout=x") == .comparison(key: .context("tool_stdout"), op: .equal, literal: "x"))
        #expect(try ConditionParser.parse("human.gate.selected=A") == .comparison(key: .context("human.gate.selected"), op: .equal, literal: "A"))
        #expect(try ConditionParser.parse("context.ready") == .truthy(.context("ready")))
        #expect(try ConditionParser.parse("!context.ready") == .not(.truthy(.context("ready"))))
    }

    @Test("&& binds tighter than ||, ! tighter than &&, parentheses group")
    func precedence() throws {
        let a = ConditionExpression.comparison(key: .context("a"), op: .equal, literal: "1")
        let b = ConditionExpression.comparison(key: .context("b"), op: .equal, literal: "2")
        let c = ConditionExpression.comparison(key: .context("c"), op: .equal, literal: "3")
        #expect(try ConditionParser.parse("a=1 || b=2 && c=3") == .or([a, .and([b, c])]))
        #expect(try ConditionParser.parse("(a=1 || b=2) && c=3") == .and([.or([a, b]), c]))
        #expect(try ConditionParser.parse("!a=1 && b=2") == .and([.not(a), b]))
        #expect(try ConditionParser.parse("!(a=1&&b=2)") == .not(.and([a, b])))
        // Chains are one list, whatever the grouping of the same operator.
        #expect(try ConditionParser.parse("a=1 && b=2 && c=3") == .and([a, b, c]))
        #expect(try ConditionParser.parse("a=1 && (b=2 && c=3)") == .and([a, b, c]))
        #expect(try ConditionParser.parse("(a=1 || b=2) || c=3") == .or([a, b, c]))
        #expect(try ConditionParser.parse("((a=1))") == a)
    }

    @Test("numeric comparisons and contains")
    func extendedOperators() throws {
        #expect(try ConditionParser.parse("context.n<3") == .comparison(key: .context("n"), op: .less, literal: "3"))
        #expect(try ConditionParser.parse("context.n <= 3") == .comparison(key: .context("n"), op: .lessOrEqual, literal: "3"))
        #expect(try ConditionParser.parse("context.n>-1") == .comparison(key: .context("n"), op: .greater, literal: "-1"))
        #expect(try ConditionParser.parse("context.n >= 2.5") == .comparison(key: .context("n"), op: .greaterOrEqual, literal: "2.5"))
        #expect(try ConditionParser.parse("context.log contains error") == .comparison(key: .context("log"), op: .contains, literal: "error"))
    }

    @Test("quoted literals keep operators and escapes; bare literals may hold several words")
    func literals() throws {
        #expect(try ConditionParser.parse(#"context.msg="a && b""#) == .comparison(key: .context("msg"), op: .equal, literal: "a && b"))
        #expect(try ConditionParser.parse(#"context.q = "say \"hi\"""#) == .comparison(key: .context("q"), op: .equal, literal: #"say "hi""#))
        #expect(try ConditionParser.parse(#"context.e="""#) == .comparison(key: .context("e"), op: .equal, literal: ""))
        #expect(try ConditionParser.parse("preferred_label=Approve  all && outcome=success")
            == .and([.comparison(key: .preferredLabel, op: .equal, literal: "Approve  all"), .comparison(key: .outcome, op: .equal, literal: "success")]))
    }

    @Test("errors name the problem and the column where it starts", arguments: [
        ("outcome=", 9, "expected a value after '='"),
        ("outcome = ", 11, "expected a value after '='"),
        ("&& x", 1, "expected a key"),
        ("outcome=success &&", 19, "found the end of the condition"),
        ("(outcome=success", 17, "missing ')'"),
        ("((a=1) || b=2", 14, "missing ')' to close the '(' at column 1"),
        ("outcome=success)", 16, "unmatched ')'"),
        ("outcome=~success", 8, "unknown operator '=~'"),
        ("outcome===x", 8, "unknown operator '==='"),
        ("outcome = success & x=1", 19, "unknown operator '&'"),
        ("a=1 ||| b=2", 7, "unknown operator '|'"),
        ("outcome ~ x", 9, "unknown operator '~'"),
        ("outcome=success x=y", 18, "expected '&&', '||'"),
        ("context=1", 1, "'context' needs a key"),
        ("context.=1", 1, "is not a key"),
        ("123=4", 1, "'123' is not a key"),
        (#"outcome="success"#, 9, "unterminated string"),
        (#""outcome"=success"#, 1, "expected a key"),
        ("!", 2, "found the end of the condition"),
        ("()", 2, "found ')'"),
        ("outcome=(x)", 9, "expected a value after '='"),
    ])
    func errors(text: String, column: Int, message: String) {
        #expect(throws: ConditionSyntaxError.self) { try ConditionParser.parse(text) }
        do {
            _ = try ConditionParser.parse(text)
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
    }

    @Test("columns count Unicode scalars")
    func unicodeColumns() {
        do {
            _ = try ConditionParser.parse("context.é=ü && ~")
            Issue.record("expected an error")
        } catch {
            #expect(error.column == 16)
        }
    }
}
