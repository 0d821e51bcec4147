import Testing
@testable import TrellisTerminal

/// Every key the editor knows, from a given line and cursor, table-driven. In `before` and
/// `after`, `|` marks the cursor.
@Suite struct LineEditorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var before: String
        var keys: [Key]
        var after: String
        var outcome: LineEditor.Outcome
        var testDescription: String { name }

        init(_ name: String, _ before: String, _ keys: [Key], _ after: String, _ outcome: LineEditor.Outcome = .redraw) {
            self.name = name
            self.before = before
            self.keys = keys
            self.after = after
            self.outcome = outcome
        }
    }

    static func editor(_ marked: String, history: [String] = []) -> LineEditor {
        let parts = marked.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        return LineEditor(line: parts.joined(), cursor: parts[0].count, history: history)
    }

    static func marked(_ editor: LineEditor) -> String {
        let split = editor.line.index(editor.line.startIndex, offsetBy: editor.cursor)
        return editor.line[..<split] + "|" + editor.line[split...]
    }

    static let cases: [Case] = [
        Case("type at end", "ab|", [.text("c")], "abc|"),
        Case("type in the middle", "a|c", [.text("b")], "ab|c"),
        Case("type at start", "|bc", [.text("a")], "a|bc"),
        Case("backspace", "abc|", [.backspace], "ab|"),
        Case("backspace in the middle", "ab|c", [.backspace], "a|c"),
        Case("backspace at start", "|abc", [.backspace], "|abc", .unchanged),
        Case("delete", "a|bc", [.delete], "a|c"),
        Case("delete at end", "abc|", [.delete], "abc|", .unchanged),
        Case("left", "abc|", [.left], "ab|c"),
        Case("left at start", "|abc", [.left], "|abc", .unchanged),
        Case("right", "|abc", [.right], "a|bc"),
        Case("right at end", "abc|", [.right], "abc|", .unchanged),
        Case("ctrl-b", "abc|", [.control("b")], "ab|c"),
        Case("ctrl-f", "|abc", [.control("f")], "a|bc"),
        Case("home", "ab|c", [.home], "|abc"),
        Case("end", "a|bc", [.end], "abc|"),
        Case("ctrl-a", "ab|c", [.control("a")], "|abc"),
        Case("ctrl-e", "a|bc", [.control("e")], "abc|"),
        Case("ctrl-w deletes the word before the cursor", "say hello|", [.control("w")], "say |"),
        Case("ctrl-w skips trailing spaces", "say hello  |", [.control("w")], "say |"),
        Case("ctrl-w mid-line", "one two| three", [.control("w")], "one | three"),
        Case("ctrl-w keeps punctuation in the word", "open foo/bar.txt|", [.control("w")], "open |"),
        Case("ctrl-w at start", "|abc", [.control("w")], "|abc", .unchanged),
        Case("alt-backspace", "say hello|", [.deleteWordBackward], "say |"),
        Case("word left", "one two|", [.wordLeft], "one |two"),
        Case("word left stops at punctuation", "foo.bar|", [.wordLeft], "foo.|bar"),
        Case("word right", "|one two", [.wordRight], "one| two"),
        Case("word right from a space", "one| two", [.wordRight], "one two|"),
        Case("ctrl-u", "abc|def", [.control("u")], "|def"),
        Case("ctrl-u at start", "|abc", [.control("u")], "|abc", .unchanged),
        Case("ctrl-k", "abc|def", [.control("k")], "abc|"),
        Case("ctrl-k at end", "abc|", [.control("k")], "abc|", .unchanged),
        Case("ctrl-l", "ab|c", [.control("l")], "ab|c", .clearScreen),
        Case("ctrl-d on an empty line", "|", [.control("d")], "|", .endOfInput),
        Case("ctrl-d deletes forward", "a|bc", [.control("d")], "a|c"),
        Case("ctrl-d at the end of a line", "abc|", [.control("d")], "abc|", .unchanged),
        Case("ctrl-c abandons the line", "ab|c", [.control("c")], "|", .interrupted),
        Case("enter submits the whole line", "ab|c", [.enter], "|", .submitted("abc")),
        Case("enter on an empty line", "|", [.enter], "|", .submitted("")),
        Case("tab does nothing", "ab|", [.tab], "ab|", .unchanged),
        Case("escape does nothing", "ab|", [.escape], "ab|", .unchanged),
        Case("unknown control does nothing", "ab|", [.control("t")], "ab|", .unchanged),
        Case("unsupported does nothing", "ab|", [.unsupported([0x1B, 0x5B, 0x35, 0x7E])], "ab|", .unchanged),
        Case("paste inserts at the cursor", "a|d", [.paste("bc")], "abc|d"),
        Case("paste keeps line breaks, normalised", "|", [.paste("one\r\ntwo\rthree")], "one\ntwo\nthree|"),
        Case("paste drops control characters and expands tabs", "|", [.paste("a\u{7}\tb")], "a    b|"),
        Case("empty paste", "ab|", [.paste("")], "ab|", .unchanged),
        // Unicode: the cursor moves by grapheme cluster.
        Case("combining mark joins the character before", "e|", [.text("\u{301}")], "é|"),
        Case("combining mark in the middle", "e|x", [.text("\u{301}")], "e\u{301}|x"),
        Case("backspace removes a decomposed é whole", "ae\u{301}|", [.backspace], "a|"),
        Case("left over a decomposed é", "ae\u{301}|", [.left], "a|e\u{301}"),
        Case("backspace removes an emoji", "a🙂|", [.backspace], "a|"),
        Case("backspace removes a ZWJ family", "a👨‍👩‍👧|b", [.backspace], "a|b"),
        Case("backspace removes a flag", "🇫🇷|", [.backspace], "|"),
        Case("left over a flag", "a🇫🇷|", [.left], "a|🇫🇷"),
        Case("CJK moves one character", "漢字|", [.left, .left], "|漢字"),
        Case("delete removes a CJK character", "|漢字", [.delete], "|字"),
        Case("ctrl-w over CJK words", "漢字 かな|", [.control("w")], "漢字 |"),
        Case("typing after CJK", "漢|", [.text("字🙂")], "漢字🙂|"),
        Case("several keys", "|", [.text("helo"), .left, .text("l"), .end, .text("!")], "hello!|"),
    ]

    @Test(arguments: cases)
    func key(_ test: Case) {
        var editor = Self.editor(test.before)
        var outcome = LineEditor.Outcome.unchanged
        for key in test.keys { outcome = editor.handle(key) }
        #expect(outcome == test.outcome)
        #expect(Self.marked(editor) == test.after)
    }

    @Test func historyWalksUpAndDownAndKeepsTheDraft() {
        var editor = Self.editor("dra|ft", history: ["first", "second"])
        #expect(editor.handle(.up) == .redraw)
        #expect(Self.marked(editor) == "second|")
        #expect(editor.handle(.control("p")) == .redraw)
        #expect(Self.marked(editor) == "first|")
        #expect(editor.handle(.up) == .unchanged)
        #expect(Self.marked(editor) == "first|")
        #expect(editor.handle(.down) == .redraw)
        #expect(Self.marked(editor) == "second|")
        #expect(editor.handle(.control("n")) == .redraw)
        #expect(Self.marked(editor) == "draft|")
        #expect(editor.handle(.down) == .unchanged)
    }

    @Test func historyEntryCanBeEditedAndSubmitted() {
        var editor = Self.editor("|", history: ["hello"])
        _ = editor.handle(.up)
        _ = editor.handle(.text(" world"))
        #expect(editor.handle(.enter) == .submitted("hello world"))
        #expect(editor.history == ["hello"])
        // After submitting, Up starts from the newest entry again with an empty draft.
        _ = editor.handle(.up)
        #expect(editor.line == "hello")
        _ = editor.handle(.down)
        #expect(editor.line == "")
    }

    @Test func upWithoutHistoryDoesNothing() {
        var editor = Self.editor("abc|")
        #expect(editor.handle(.up) == .unchanged)
        #expect(editor.handle(.down) == .unchanged)
        #expect(Self.marked(editor) == "abc|")
    }
}
