extension StatusBlock {
    /// What `find(in:)` found in a response.
    public enum SearchResult: Sendable, Equatable {
        /// The response carries no status block.
        case none
        /// The response's status block.
        case found(StatusBlock)
        /// The response carries a JSON object with status keys that cannot be read; the reason says why.
        case malformed(StatusBlockError)
    }

    /// Finds the status block in an LLM response.
    ///
    /// A status block is a JSON object with at least one of `routingKeys`. It is looked for
    /// first in fenced code blocks (```` ```json ```` or a bare ```` ``` ````), then among the
    /// top-level `{...}` objects of the text; in each pass the last one wins, because models
    /// are asked to end their answer with it. JSON objects without status keys (data, code)
    /// are ignored; a fenced block that mentions `"outcome"` but is not valid JSON, or an
    /// object with status keys but bad values, is reported as `.malformed`.
    public static func find(in text: String) -> SearchResult {
        for candidate in fencedBlocks(in: text).reversed() {
            if let result = evaluate(candidate, reportInvalidJSON: candidate.contains("\"outcome\"")) { return result }
        }
        for candidate in topLevelObjects(in: text, last: maximumObjectCandidates).reversed() {
            if let result = evaluate(candidate, reportInvalidJSON: false) { return result }
        }
        return .none
    }

    /// How many trailing top-level objects are tried, so a response full of code stays cheap to scan.
    static let maximumObjectCandidates = 16

    private static func evaluate(_ candidate: String, reportInvalidJSON: Bool) -> SearchResult? {
        let value: ContextValue
        do {
            value = try ContextValue(jsonText: candidate)
        } catch {
            return reportInvalidJSON
                ? .malformed(StatusBlockError(reason: "status block is not valid JSON: \(error.reason)")) : nil
        }
        guard case .map(let fields) = value, !routingKeys.isDisjoint(with: fields.keys) else { return nil }
        do {
            return .found(try StatusBlock(json: value))
        } catch {
            return .malformed(error)
        }
    }

    /// The contents of fenced code blocks tagged `json` or untagged, whose text starts with `{`.
    /// Fences in other languages are stepped over whole, so their closing fence is never
    /// mistaken for an opening one.
    static func fencedBlocks(in text: String) -> [String] {
        enum State { case outside, tracked, skipped }
        var blocks: [String] = []
        var state = State.outside
        var tracked: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indented = line.drop(while: { $0 == " " || $0 == "\t" })
            let isFence = indented.hasPrefix("```")
            switch state {
            case .outside where isFence:
                let tag = indented.dropFirst(3).trimmingSpacesAndNewlines().lowercased()
                state = (tag.isEmpty || tag == "json") ? .tracked : .skipped
                tracked.removeAll(keepingCapacity: true)
            case .tracked where isFence:
                let body = tracked.joined(separator: "\n").trimmingSpacesAndNewlines()
                if body.hasPrefix("{") { blocks.append(body) }
                state = .outside
            case .tracked:
                tracked.append(line)
            case .skipped where isFence:
                state = .outside
            case .outside, .skipped:
                break
            }
        }
        return blocks
    }

    /// The last `last` top-level `{...}` spans of `text`, with JSON strings inside objects
    /// respected so braces in string values do not end an object early.
    static func topLevelObjects(in text: String, last: Int = .max) -> [String] {
        let bytes = Array(text.utf8)
        var spans: [ClosedRange<Int>] = []
        var depth = 0
        var start = 0
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if depth == 0 {
                if byte == UInt8(ascii: "{") {
                    depth = 1
                    start = index
                    inString = false
                }
                continue
            }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { spans.append(start...index) }
            default: break
            }
        }
        return spans.suffix(last).map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line ends.
    func trimmingSpacesAndNewlines() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
