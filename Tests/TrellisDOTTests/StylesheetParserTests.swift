import Testing
@testable import TrellisDOT

@Suite("Model stylesheet parser")
struct StylesheetParserTests {
    @Test("the corpus stylesheet")
    func corpusStylesheet() throws {
        let sheet = try ModelStylesheetParser.parse("* { llm_provider: openai; llm_model: gpt-5.4; reasoning_effort: high; }")
        #expect(sheet.rules == [
            StylesheetRule(selector: .universal, declarations: [
                StylesheetDeclaration(key: "llm_provider", value: "openai"),
                StylesheetDeclaration(key: "llm_model", value: "gpt-5.4"),
                StylesheetDeclaration(key: "reasoning_effort", value: "high"),
            ])
        ])
    }

    @Test("every selector kind, comments, quoted values, optional last semicolon, '=' declarations")
    func selectorsAndValues() throws {
        let text = """
            /* defaults */
            * { llm_model: claude-sonnet-4-5 }
            box { reasoning_effort: "medium"; }
            .code { llm_model: "claude opus"; /* note */ llm_provider: anthropic }
            #critical_review { llm_model = gpt-5.2; }
            """
        let sheet = try ModelStylesheetParser.parse(text)
        #expect(sheet.rules.map(\.selector) == [.universal, .shape("box"), .className("code"), .id("critical_review")])
        #expect(sheet.rules[0].declarations == [StylesheetDeclaration(key: "llm_model", value: "claude-sonnet-4-5")])
        #expect(sheet.rules[1].declarations == [StylesheetDeclaration(key: "reasoning_effort", value: "medium")])
        #expect(sheet.rules[2].declarations == [
            StylesheetDeclaration(key: "llm_model", value: "claude opus"),
            StylesheetDeclaration(key: "llm_provider", value: "anthropic"),
        ])
        #expect(sheet.rules[3].declarations == [StylesheetDeclaration(key: "llm_model", value: "gpt-5.2")])
        #expect(sheet.rules.map(\.selector.specificity) == [0, 1, 2, 3])
    }

    @Test("blank text and empty blocks")
    func blank() throws {
        #expect(try ModelStylesheetParser.parse("").rules.isEmpty)
        #expect(try ModelStylesheetParser.parse("  /* nothing */ \n").rules.isEmpty)
        #expect(try ModelStylesheetParser.parse("* {}").rules == [StylesheetRule(selector: .universal, declarations: [])])
    }

    @Test("errors give line and column inside the stylesheet", arguments: [
        ("* { llm_model gpt }", 1, 15, "expected ':' after 'llm_model'"),
        ("* { llm_model: ; }", 1, 16, "expected a value for 'llm_model'"),
        ("* { llm_model: a b }", 1, 18, "expected ';' or '}' after the value of 'llm_model'"),
        ("box { llm_model: x;", 1, 20, "missing '}' to close the '{' at line 1, column 5"),
        ("* llm_model: x; }", 1, 3, "expected '{' after the selector"),
        ("* { llm_model: b }\n\n  . { }", 3, 4, "expected a name after '.'"),
        ("* { llm_model: b }\n/* open", 2, 1, "unterminated comment"),
        (#"* { llm_model: "abc }"#, 1, 16, "unterminated string"),
        ("@x { }", 1, 1, "expected a selector"),
        ("* { llm_model: a } }", 1, 20, "expected a selector"),
        ("* { : a }", 1, 5, "expected a property name"),
        ("#t1 { tool_command: \"touch PWNED\"; }", 1, 7, "'tool_command' is not a stylesheet property"),
        ("* { llm_model: a;\n  prompt: b }", 2, 3, "'prompt' is not a stylesheet property"),
    ])
    func errors(text: String, line: Int, column: Int, message: String) {
        #expect(throws: StylesheetSyntaxError.self) { try ModelStylesheetParser.parse(text) }
        do {
            _ = try ModelStylesheetParser.parse(text)
        } catch {
            #expect(error.line == line, "\(text): \(error)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
        }
    }
}
