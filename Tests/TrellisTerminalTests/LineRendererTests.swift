import Testing
@testable import TrellisTerminal

/// Redraw text and cursor placement, including wrapping and two-column characters.
@Suite struct LineRendererTests {
    @Test(arguments: [
        ("a", 1), ("漢", 2), ("か", 2), ("한", 2), ("Ａ", 2), ("ｱ", 1), ("🙂", 2), ("❤️", 2),
        ("👨‍👩‍👧", 2), ("🇫🇷", 2), ("e\u{301}", 1), ("\u{301}", 0), ("\u{7}", 0), ("é", 1),
    ] as [(String, Int)])
    func characterWidth(_ text: String, _ width: Int) {
        #expect(text.count == 1)
        #expect(DisplayWidth.columns(of: Character(text)) == width)
    }

    @Test func stringWidthSkipsColourSequences() {
        #expect(DisplayWidth.columns(of: "\u{1B}[1;32m> \u{1B}[0m") == 2)
        #expect(DisplayWidth.columns(of: "漢字 ok") == 7)
    }

    @Test func shortLineWithCursorInside() {
        var renderer = LineRenderer()
        #expect(renderer.redraw(prompt: "> ", line: "abc", cursor: 1, columns: 80) == "\r\u{1B}[J> abc\r\u{1B}[3C")
        #expect(renderer.cursorRow == 0)
    }

    @Test func wideCharactersMoveTheCursorTwoColumns() {
        var renderer = LineRenderer()
        #expect(renderer.redraw(prompt: "> ", line: "漢字x", cursor: 2, columns: 80) == "\r\u{1B}[J> 漢字x\r\u{1B}[6C")
    }

    @Test func wrappedLineRemembersTheRowForTheNextRedraw() {
        var renderer = LineRenderer()
        let first = renderer.redraw(prompt: "> ", line: "abcdefghijkl", cursor: 12, columns: 10)
        #expect(first == "\r\u{1B}[J> abcdefghijkl", "the cursor is already at the end")
        #expect(renderer.cursorRow == 1)
        let second = renderer.redraw(prompt: "> ", line: "abcdefghijkl", cursor: 0, columns: 10)
        #expect(second == "\u{1B}[1A\r\u{1B}[J> abcdefghijkl\u{1B}[1A\r\u{1B}[2C")
        #expect(renderer.cursorRow == 0)
    }

    @Test func exactlyFullRowMovesToTheNextRow() {
        var renderer = LineRenderer()
        #expect(renderer.redraw(prompt: "> ", line: "abcdefgh", cursor: 8, columns: 10) == "\r\u{1B}[J> abcdefgh\r\n")
        #expect(renderer.cursorRow == 1)
    }

    @Test func wideCharacterThatDoesNotFitWrapsWhole() {
        let layout = LineRenderer.layout(prompt: "> ", line: "漢字", cursor: 1, columns: 5)
        #expect(layout.cursor == .init(row: 1, column: 0))
        #expect(layout.end == .init(row: 1, column: 2))
    }

    @Test func lineBreaksShowAsArrows() {
        let layout = LineRenderer.layout(prompt: "", line: "a\nb", cursor: 3, columns: 80)
        #expect(layout.shown == "a↵b")
        #expect(layout.end == .init(row: 0, column: 3))
    }

    @Test func clearGoesBackToTheFirstRow() {
        var renderer = LineRenderer()
        _ = renderer.redraw(prompt: "> ", line: String(repeating: "x", count: 25), cursor: 25, columns: 10)
        #expect(renderer.cursorRow == 2)
        #expect(renderer.clear() == "\u{1B}[2A\r\u{1B}[J")
        #expect(renderer.cursorRow == 0)
    }

    @Test func finishMovesBelowTheLine() {
        var renderer = LineRenderer()
        _ = renderer.redraw(prompt: "> ", line: "abcdefghijkl", cursor: 0, columns: 10)
        #expect(renderer.finish(prompt: "> ", line: "abcdefghijkl", columns: 10, suffix: "^C") == "\u{1B}[1B\r\u{1B}[4C^C\r\n")
        #expect(renderer.cursorRow == 0)
    }
}
