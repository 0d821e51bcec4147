/// How many terminal columns text occupies, so the redraw can place the cursor and wrap
/// long lines the way the terminal does.
///
/// A deliberately small table rather than a full `wcwidth`: East Asian Wide and Fullwidth
/// characters and emoji take two columns, combining marks and other zero-width characters
/// none, everything else one. Measuring per grapheme cluster (not per scalar) is what keeps
/// `e` + U+0301 at one column and a ZWJ family emoji at two.
public enum DisplayWidth {
    /// The columns one grapheme cluster occupies: 0, 1 or 2.
    public static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        // Emoji presentation: either the default (🙂) or forced by VS16 (❤️), or a flag pair.
        if first.properties.isEmojiPresentation { return 2 }
        if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return scalars.count > 1 ? 2 : 1 }
        if isWide(first.value) { return 2 }
        if scalars.allSatisfy(isZeroWidth) { return 0 }
        return 1
    }

    /// The columns `text` occupies, ignoring ANSI escape sequences (`ESC [ … m` colours in a
    /// prompt take no room on screen).
    public static func columns(of text: String) -> Int {
        visibleCharacters(of: text).reduce(0) { $0 + columns(of: $1) }
    }

    /// `text` without ANSI CSI escape sequences, as the characters the terminal shows.
    static func visibleCharacters(of text: String) -> [Character] {
        var result: [Character] = []
        var inEscape = false
        var sawBracket = false
        for character in text {
            if inEscape {
                if !sawBracket {
                    sawBracket = true
                    if character != "[" { inEscape = false }
                    continue
                }
                if let value = character.asciiValue, (0x40...0x7E).contains(value) { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                sawBracket = false
                continue
            }
            result.append(character)
        }
        return result
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return scalar.value == 0x200B
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks: Hangul Jamo, CJK, kana, Hangul
    /// syllables, compatibility ideographs, fullwidth forms, and the supplementary ideographs.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
