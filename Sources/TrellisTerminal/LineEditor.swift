/// The line being typed at a prompt, as a pure state machine: keys in, outcome out, no I/O.
///
/// The buffer is a `String` and the cursor counts `Character`s (grapheme clusters), so the
/// cursor never lands inside `e` + combining accent, a flag, or a ZWJ emoji sequence, and
/// Backspace removes what the user sees as one character. `LineRenderer` turns the state
/// into the escape sequences that redraw it; `TerminalSession` does the reading and writing.
///
/// History: Up and Down walk `history` (oldest first). The line being typed is kept aside
/// when Up is first pressed and comes back when Down walks past the newest entry. Edits to
/// a recalled entry are used if it is submitted but not written back into the list.
public struct LineEditor: Sendable {
    /// What a key did, so the caller knows what to draw and whether the line is finished.
    public enum Outcome: Hashable, Sendable {
        /// The text or the cursor changed: redraw the line.
        case redraw
        /// Nothing changed (Backspace at the start, Up with no history); the caller may beep.
        case unchanged
        /// Ctrl-L: clear the screen, then redraw the line at the top.
        case clearScreen
        /// Enter: the finished line. The editor is empty again.
        case submitted(String)
        /// Ctrl-C: the line was abandoned (the editor is empty again); the caller decides
        /// whether that cancels running work or just means a fresh prompt.
        case interrupted
        /// Ctrl-D on an empty line: the user is done.
        case endOfInput
    }

    /// The text typed so far.
    public private(set) var line: String
    /// The cursor, in `Character`s from the start of `line` (0...line.count).
    public private(set) var cursor: Int
    /// Earlier lines, oldest first, reachable with Up and Down.
    public private(set) var history: [String]
    /// Which history entry is shown; nil while editing the new line.
    private var historyIndex: Int?
    /// The new line, kept while history entries are shown.
    private var draft = ""

    /// Creates an editor holding `line` with the cursor at `cursor` (default: the end).
    public init(line: String = "", cursor: Int? = nil, history: [String] = []) {
        self.line = line
        self.cursor = min(max(cursor ?? line.count, 0), line.count)
        self.history = history
    }

    /// Empties the line and starts a new prompt with `history`.
    public mutating func reset(history: [String]) {
        self.history = history
        line = ""
        cursor = 0
        historyIndex = nil
        draft = ""
    }

    /// Applies one key.
    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .text(let text):
            return insert(text)
        case .paste(let text):
            // Pasted line breaks stay in the message (the renderer shows them as ↵); a
            // "\r\n" pair is one Character in Swift, so normalise it before anything else.
            let normalised = text.replacingAll("\r\n", with: "\n").replacingAll("\r", with: "\n")
                .replacingAll("\t", with: "    ")
            return insert(String(normalised.unicodeScalars.filter { $0 == "\n" || $0.value >= 0x20 && $0.value != 0x7F }))
        case .enter:
            let submitted = line
            reset(history: history)
            return .submitted(submitted)
        case .backspace, .control("h"):
            guard cursor > 0 else { return .unchanged }
            remove(cursor - 1..<cursor)
            return .redraw
        case .delete:
            return deleteForward()
        case .control("d"):
            return line.isEmpty ? .endOfInput : deleteForward()
        case .left, .control("b"):
            return move(to: cursor - 1)
        case .right, .control("f"):
            return move(to: cursor + 1)
        case .home, .control("a"):
            return move(to: 0)
        case .end, .control("e"):
            return move(to: line.count)
        case .wordLeft:
            return move(to: wordStart(before: cursor, separators: Self.isWordSeparator))
        case .wordRight:
            return move(to: wordEnd(after: cursor))
        case .up, .control("p"):
            return recall(older: true)
        case .down, .control("n"):
            return recall(older: false)
        case .control("w"), .deleteWordBackward:
            let start = wordStart(before: cursor, separators: { $0.isWhitespace })
            guard start < cursor else { return .unchanged }
            remove(start..<cursor)
            return .redraw
        case .control("u"):
            guard cursor > 0 else { return .unchanged }
            remove(0..<cursor)
            return .redraw
        case .control("k"):
            guard cursor < line.count else { return .unchanged }
            remove(cursor..<line.count)
            return .redraw
        case .control("l"):
            return .clearScreen
        case .control("c"):
            reset(history: history)
            return .interrupted
        case .tab, .escape, .control, .unsupported:
            return .unchanged
        }
    }

    private mutating func insert(_ text: String) -> Outcome {
        guard !text.isEmpty else { return .unchanged }
        let split = line.index(line.startIndex, offsetBy: cursor)
        // Counting the joined prefix (not adding text.count) is what keeps the cursor right
        // when the text merges with its neighbour: a combining mark typed after "e".
        let before = String(line[..<split]) + text
        line = before + line[split...]
        cursor = before.count
        return .redraw
    }

    private mutating func deleteForward() -> Outcome {
        guard cursor < line.count else { return .unchanged }
        remove(cursor..<cursor + 1)
        return .redraw
    }

    /// Removes the characters in `range` and leaves the cursor at its start.
    private mutating func remove(_ range: Range<Int>) {
        let lower = line.index(line.startIndex, offsetBy: range.lowerBound)
        let upper = line.index(lower, offsetBy: range.count)
        line.removeSubrange(lower..<upper)
        cursor = range.lowerBound
    }

    private mutating func move(to position: Int) -> Outcome {
        let clamped = min(max(position, 0), line.count)
        guard clamped != cursor else { return .unchanged }
        cursor = clamped
        return .redraw
    }

    /// Where the word before `position` starts: skip separators, then the word itself.
    private func wordStart(before position: Int, separators: (Character) -> Bool) -> Int {
        let characters = Array(line)
        var index = position
        while index > 0 && separators(characters[index - 1]) { index -= 1 }
        while index > 0 && !separators(characters[index - 1]) { index -= 1 }
        return index
    }

    /// Where the word after `position` ends: skip separators, then the word itself.
    private func wordEnd(after position: Int) -> Int {
        let characters = Array(line)
        var index = position
        while index < characters.count && Self.isWordSeparator(characters[index]) { index += 1 }
        while index < characters.count && !Self.isWordSeparator(characters[index]) { index += 1 }
        return index
    }

    /// Alt-B/Alt-F and Ctrl-arrows stop at punctuation as well as spaces, like readline;
    /// Ctrl-W deletes back to whitespace only, like the shell's unix-word-rubout.
    private static func isWordSeparator(_ character: Character) -> Bool {
        !(character.isLetter || character.isNumber || character == "_")
    }

    private mutating func recall(older: Bool) -> Outcome {
        guard !history.isEmpty else { return .unchanged }
        let next: Int?
        switch (historyIndex, older) {
        case (nil, true): next = history.count - 1
        case (nil, false): return .unchanged
        case (let index?, true): guard index > 0 else { return .unchanged }; next = index - 1
        case (let index?, false): next = index + 1 < history.count ? index + 1 : nil
        }
        if historyIndex == nil { draft = line }
        historyIndex = next
        line = next.map { history[$0] } ?? draft
        cursor = line.count
        return .redraw
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation (this module needs none here).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
