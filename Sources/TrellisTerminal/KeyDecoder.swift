/// Turns the bytes a terminal sends in raw mode into `Key`s.
///
/// Reads from a terminal arrive in arbitrary pieces: an arrow key's `ESC [ A` or a UTF-8
/// character may be split between two `read(2)` calls, so the decoder keeps the unfinished
/// tail and completes it on the next call. A lone Escape is indistinguishable from the start
/// of a sequence until time passes, which is why the caller calls `flush()` after a short
/// pause when `isAwaitingMore` is true. Pure and synchronous, so every split is testable.
public struct KeyDecoder: Sendable {
    /// Bytes not yet decoded: an unfinished escape sequence, UTF-8 character, or paste.
    private var pending: [UInt8] = []
    /// Inside `ESC [ 200 ~` … `ESC [ 201 ~`: bytes are text until the end marker.
    private var pasting = false

    /// The end marker of a bracketed paste.
    private static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]
    /// An escape sequence longer than this is garbage, not an unfinished sequence.
    private static let longestSequence = 32

    /// Creates a decoder with nothing pending.
    public init() {}

    /// Whether an unfinished escape sequence is waiting for more bytes. When it stays true
    /// after a short pause (50 ms is usual) the user pressed Escape alone: call `flush()`.
    /// Only escapes are ambiguous, so an unfinished UTF-8 character or paste is never timed
    /// out: on a slow link its rest may come late, and it can only be the rest.
    public var isAwaitingMore: Bool { !pasting && pending.first == 0x1B }

    /// Decodes `bytes` after whatever was pending, returning the complete keys.
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        return drain(final: false)
    }

    /// Decodes what is pending as if no more bytes will come: a lone `ESC` becomes `escape`,
    /// a cut-off UTF-8 character becomes U+FFFD. An unfinished paste stays pending.
    public mutating func flush() -> [Key] {
        drain(final: true)
    }

    private enum Step {
        case key(Key, consumed: Int)
        case text(String, consumed: Int)
        case beginPaste(consumed: Int)
        case needMore
    }

    private mutating func drain(final: Bool) -> [Key] {
        var keys: [Key] = []
        var text = ""
        var index = 0
        func flushText() {
            if !text.isEmpty { keys.append(.text(text)); text = "" }
        }
        while index < pending.count {
            if pasting {
                guard let end = Self.find(Self.pasteEnd, in: pending, from: index) else { break }
                flushText()
                keys.append(.paste(String(decoding: pending[index..<end], as: UTF8.self)))
                index = end + Self.pasteEnd.count
                pasting = false
                continue
            }
            switch step(at: index, final: final) {
            case .needMore:
                pending.removeFirst(index)
                flushText()
                return keys
            case .text(let piece, let consumed):
                text += piece
                index += consumed
            case .key(let key, let consumed):
                flushText()
                keys.append(key)
                index += consumed
            case .beginPaste(let consumed):
                flushText()
                pasting = true
                index += consumed
            }
        }
        pending.removeFirst(index)
        flushText()
        return keys
    }

    /// Decodes one token starting at `index`.
    private func step(at index: Int, final: Bool) -> Step {
        let byte = pending[index]
        let available = pending.count - index
        switch byte {
        case 0x1B:
            return escape(at: index, final: final)
        case 0x0D, 0x0A:
            return .key(.enter, consumed: 1)
        case 0x7F, 0x08:
            return .key(.backspace, consumed: 1)
        case 0x09:
            return .key(.tab, consumed: 1)
        case 0x01...0x1A:
            return .key(.control(Character(Unicode.Scalar(byte + 0x60))), consumed: 1)
        case 0x00, 0x1C...0x1F:
            return .key(.unsupported([byte]), consumed: 1)
        case 0x20...0x7E:
            return .text(String(Unicode.Scalar(byte)), consumed: 1)
        default:
            let length: Int
            switch byte {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return .text("\u{FFFD}", consumed: 1)
            }
            // A byte that is not a continuation ends the character early: replace what came
            // so far rather than swallow the next character.
            var valid = 1
            while valid < min(length, available), pending[index + valid] & 0xC0 == 0x80 { valid += 1 }
            if valid < length {
                if valid == available && !final { return .needMore }
                return .text("\u{FFFD}", consumed: valid)
            }
            return .text(String(decoding: pending[index..<index + length], as: UTF8.self), consumed: length)
        }
    }

    /// Decodes `ESC …` at `index`: CSI (`ESC [`), SS3 (`ESC O`), Alt-key, or a lone Escape.
    private func escape(at index: Int, final: Bool) -> Step {
        let available = pending.count - index
        guard available >= 2 else { return final ? .key(.escape, consumed: 1) : .needMore }
        let next = pending[index + 1]
        switch next {
        case 0x5B: // '[': parameters and intermediates, then one final byte 0x40...0x7E
            var end = index + 2
            while end < pending.count, !(0x40...0x7E).contains(pending[end]) {
                end += 1
                if end - index > Self.longestSequence {
                    return .key(.unsupported(Array(pending[index..<end])), consumed: end - index)
                }
            }
            guard end < pending.count else {
                return final ? .key(.unsupported(Array(pending[index...])), consumed: available) : .needMore
            }
            let parameters = String(decoding: pending[(index + 2)..<end], as: UTF8.self)
            let consumed = end - index + 1
            if pending[end] == 0x7E && parameters == "200" { return .beginPaste(consumed: consumed) }
            let key = Self.csi(parameters: parameters, final: pending[end])
                ?? .unsupported(Array(pending[index..<(end + 1)]))
            return .key(key, consumed: consumed)
        case 0x4F: // 'O': one more byte
            guard available >= 3 else { return final ? .key(.unsupported([0x1B, 0x4F]), consumed: 2) : .needMore }
            let keys: [UInt8: Key] = [0x41: .up, 0x42: .down, 0x43: .right, 0x44: .left, 0x48: .home, 0x46: .end]
            return .key(keys[pending[index + 2]] ?? .unsupported(Array(pending[index..<(index + 3)])), consumed: 3)
        case 0x62: return .key(.wordLeft, consumed: 2) // Alt-B
        case 0x66: return .key(.wordRight, consumed: 2) // Alt-F
        case 0x7F, 0x08: return .key(.deleteWordBackward, consumed: 2)
        case 0x20...0x7E: return .key(.unsupported([0x1B, next]), consumed: 2)
        default:
            // ESC ESC, ESC + control, ESC + UTF-8: the Escape stands alone and the rest is
            // decoded on its own, so no typed character is lost.
            return .key(.escape, consumed: 1)
        }
    }

    /// Maps a complete CSI sequence; nil when the editor has no use for it.
    private static func csi(parameters: String, final: UInt8) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        // xterm reports modifiers as the second field: 3 Alt, 5 Ctrl (plus 1).
        let modifier = fields.count > 1 ? (fields[1] ?? 1) : 1
        let word = modifier == 3 || modifier == 5
        switch final {
        case 0x41: return .up
        case 0x42: return .down
        case 0x43: return word ? .wordRight : .right
        case 0x44: return word ? .wordLeft : .left
        case 0x48: return .home
        case 0x46: return .end
        case 0x7E:
            switch fields.first ?? nil {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            default: return nil
            }
        default: return nil
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count - start >= needle.count else { return nil }
        for offset in start...(haystack.count - needle.count) where haystack[offset] == needle[0] {
            if haystack[offset..<(offset + needle.count)].elementsEqual(needle) { return offset }
        }
        return nil
    }
}
