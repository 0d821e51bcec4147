import Foundation

/// Turns user text into an FTS5 `MATCH` expression that cannot be a syntax error.
///
/// User text is never handed to FTS5 as is: `"`, `AND`, `OR`, `NOT`, `NEAR`, `(`, `*`, `^`
/// and `column:` all mean something there, and a stray one makes the query fail. Instead
/// the text is split into runs of letters and digits (anything else, emoji included,
/// separates), each run is written as a double-quoted string (quotes doubled, though a run
/// cannot contain one), and the strings are joined by `OR` so that any shared word matches
/// and BM25 ranks entries sharing more (and rarer) words higher. As in `InMemoryMemory`,
/// only words of three UTF-8 bytes or more count, which drops "a", "is", "to" yet keeps a
/// single CJK character; repeated words count once; at most `maxTerms` are used.
enum FTSQuery {
    /// The most terms one query uses, so a pasted essay does not become a huge OR.
    static let maxTerms = 32

    /// The `MATCH` expression for `text`, or `nil` when it has no word to search for.
    static func expression(for text: String) -> String? {
        var terms: [String] = []
        var seen: Set<String> = []
        var current = ""
        func flush() {
            defer { current = "" }
            guard current.utf8.count >= 3, terms.count < maxTerms, seen.insert(current.lowercased()).inserted else { return }
            terms.append("\"" + current.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        }
        for character in text {
            if character.isLetter || character.isNumber { current.append(character) } else { flush() }
        }
        flush()
        return terms.isEmpty ? nil : terms.joined(separator: " OR ")
    }
}
