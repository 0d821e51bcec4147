import Testing
@testable import TrellisTerminal

/// Bytes to keys, whole and split at every byte position, since `read(2)` may return any piece.
@Suite struct KeyDecoderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var keys: [Key]
        var testDescription: String { name }
    }

    static let escape: UInt8 = 0x1B
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let cases: [Case] = [
        Case(name: "ASCII text", bytes: bytes("hello"), keys: [.text("hello")]),
        Case(name: "Enter (CR)", bytes: [0x0D], keys: [.enter]),
        Case(name: "Enter (LF)", bytes: [0x0A], keys: [.enter]),
        Case(name: "Backspace (DEL)", bytes: [0x7F], keys: [.backspace]),
        Case(name: "Backspace (Ctrl-H)", bytes: [0x08], keys: [.backspace]),
        Case(name: "Tab", bytes: [0x09], keys: [.tab]),
        Case(name: "Ctrl-A", bytes: [0x01], keys: [.control("a")]),
        Case(name: "Ctrl-C", bytes: [0x03], keys: [.control("c")]),
        Case(name: "Ctrl-D", bytes: [0x04], keys: [.control("d")]),
        Case(name: "Ctrl-W", bytes: [0x17], keys: [.control("w")]),
        Case(name: "Up", bytes: bytes("\u{1B}[A"), keys: [.up]),
        Case(name: "Down", bytes: bytes("\u{1B}[B"), keys: [.down]),
        Case(name: "Right", bytes: bytes("\u{1B}[C"), keys: [.right]),
        Case(name: "Left", bytes: bytes("\u{1B}[D"), keys: [.left]),
        Case(name: "Home CSI H", bytes: bytes("\u{1B}[H"), keys: [.home]),
        Case(name: "End CSI F", bytes: bytes("\u{1B}[F"), keys: [.end]),
        Case(name: "Home SS3", bytes: bytes("\u{1B}OH"), keys: [.home]),
        Case(name: "End SS3", bytes: bytes("\u{1B}OF"), keys: [.end]),
        Case(name: "Up SS3 (application mode)", bytes: bytes("\u{1B}OA"), keys: [.up]),
        Case(name: "Home 1~", bytes: bytes("\u{1B}[1~"), keys: [.home]),
        Case(name: "Home 7~", bytes: bytes("\u{1B}[7~"), keys: [.home]),
        Case(name: "End 4~", bytes: bytes("\u{1B}[4~"), keys: [.end]),
        Case(name: "End 8~", bytes: bytes("\u{1B}[8~"), keys: [.end]),
        Case(name: "Delete 3~", bytes: bytes("\u{1B}[3~"), keys: [.delete]),
        Case(name: "Ctrl-Right", bytes: bytes("\u{1B}[1;5C"), keys: [.wordRight]),
        Case(name: "Ctrl-Left", bytes: bytes("\u{1B}[1;5D"), keys: [.wordLeft]),
        Case(name: "Alt-Right", bytes: bytes("\u{1B}[1;3C"), keys: [.wordRight]),
        Case(name: "Shift-Right is plain Right", bytes: bytes("\u{1B}[1;2C"), keys: [.right]),
        Case(name: "Alt-B", bytes: bytes("\u{1B}b"), keys: [.wordLeft]),
        Case(name: "Alt-F", bytes: bytes("\u{1B}f"), keys: [.wordRight]),
        Case(name: "Alt-Backspace", bytes: [0x1B, 0x7F], keys: [.deleteWordBackward]),
        Case(name: "Page Up is unsupported", bytes: bytes("\u{1B}[5~"), keys: [.unsupported(bytes("\u{1B}[5~"))]),
        Case(name: "F1 is unsupported", bytes: bytes("\u{1B}OP"), keys: [.unsupported(bytes("\u{1B}OP"))]),
        Case(name: "two-byte UTF-8", bytes: bytes("é"), keys: [.text("é")]),
        Case(name: "three-byte UTF-8 (CJK)", bytes: bytes("漢字"), keys: [.text("漢字")]),
        Case(name: "four-byte UTF-8 (emoji)", bytes: bytes("🙂"), keys: [.text("🙂")]),
        Case(name: "combining mark", bytes: bytes("e\u{301}"), keys: [.text("e\u{301}")]),
        Case(name: "text around an arrow", bytes: bytes("ab\u{1B}[Dc"), keys: [.text("ab"), .left, .text("c")]),
        Case(name: "typed line", bytes: bytes("hi 世界\r"), keys: [.text("hi 世界"), .enter]),
        Case(name: "bracketed paste", bytes: bytes("\u{1B}[200~one\ntwo\u{1B}[201~"), keys: [.paste("one\ntwo")]),
        Case(name: "paste holding an escape", bytes: bytes("\u{1B}[200~a\u{1B}[Ab\u{1B}[201~x"), keys: [.paste("a\u{1B}[Ab"), .text("x")]),
        Case(name: "ESC ESC then arrow", bytes: bytes("\u{1B}\u{1B}[A"), keys: [.escape, .up]),
        Case(name: "invalid UTF-8 lead byte", bytes: [0xFF, 0x41], keys: [.text("\u{FFFD}A")]),
        Case(name: "cut-off UTF-8 followed by ASCII", bytes: [0xE6, 0x41], keys: [.text("\u{FFFD}A")]),
    ]

    @Test(arguments: cases)
    func wholeInput(_ test: Case) {
        var decoder = KeyDecoder()
        #expect(Self.merged(decoder.decode(test.bytes)) == test.keys)
        #expect(!decoder.isAwaitingMore)
    }

    @Test(arguments: cases)
    func splitAtEveryPosition(_ test: Case) {
        for split in 0...test.bytes.count {
            var decoder = KeyDecoder()
            let keys = decoder.decode(test.bytes[..<split]) + decoder.decode(test.bytes[split...])
            #expect(Self.merged(keys) == test.keys, "split at \(split)")
        }
    }

    @Test(arguments: cases)
    func oneByteAtATime(_ test: Case) {
        var decoder = KeyDecoder()
        var keys: [Key] = []
        for byte in test.bytes { keys += decoder.decode([byte]) }
        #expect(Self.merged(keys) == test.keys)
    }

    @Test func loneEscapeWaitsThenFlushes() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]).isEmpty)
        #expect(decoder.isAwaitingMore)
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.isAwaitingMore)
    }

    @Test func cutOffUTF8FlushesAsReplacement() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0xE6, 0xBC]).isEmpty)
        #expect(!decoder.isAwaitingMore, "no timeout: only the rest of the character can follow")
        #expect(decoder.flush() == [.text("\u{FFFD}")])
    }

    @Test func unfinishedPasteDoesNotTimeOut() {
        var decoder = KeyDecoder()
        #expect(decoder.decode(Self.bytes("\u{1B}[200~abc")).isEmpty)
        #expect(!decoder.isAwaitingMore)
        #expect(decoder.flush().isEmpty)
        #expect(decoder.decode(Self.bytes("\u{1B}[201~")) == [.paste("abc")])
    }

    /// Text split across reads arrives as several `.text` keys; join neighbours to compare.
    static func merged(_ keys: [Key]) -> [Key] {
        var result: [Key] = []
        for key in keys {
            if case .text(let more) = key, case .text(let text)? = result.last {
                result[result.count - 1] = .text(text + more)
            } else {
                result.append(key)
            }
        }
        return result
    }
}
