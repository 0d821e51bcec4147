import Foundation
import Synchronization

/// A language model stand-in that answers deterministically, without a network.
///
/// - A single-shot request (no `messages`) is answered with a line derived from a stable
///   FNV-1a hash of the prompt (and model name), so the same prompt always gets the same
///   answer, in every process.
/// - A chat-style request (non-empty `messages`) is answered with `Response N`, where N
///   counts the calls made on this instance (each copy of the value shares one counter).
/// - `latency` makes every call sleep first; the sleep ends early with `CancellationError`
///   when the calling task is cancelled.
///
/// Driving outcomes from a prompt (for tests and for walking pipelines with `--simulate`):
/// - `SIMULATE_STATUS: {json}` — the answer ends with that JSON object (everything from
///   the first `{` after the marker to its matching `}`) in a fenced `json` block, which
///   the LLM stage reads as its status block. Invalid JSON is passed through as written,
///   so the stage's handling of a broken block can be exercised too.
/// - `SIMULATE_OUTCOME: fail, retry, success` — the answer ends with a status block whose
///   `outcome` is the entry for this attempt: the request option `attempt` (an integer,
///   0 for the first try; the LLM stage passes the node's attempt) picks the entry, and the
///   last entry repeats. The list runs to the end of the line.
/// `SIMULATE_STATUS` wins when both appear.
public struct SimulatedLLM: LLMAdapter {
    /// How long each call waits before answering.
    public var latency: Duration
    private let calls: CallCounter

    /// The marker that makes the answer carry a given status block.
    public static let statusMarker = "SIMULATE_STATUS:"
    /// The marker that makes the answer carry an outcome chosen by attempt.
    public static let outcomeMarker = "SIMULATE_OUTCOME:"

    /// Creates a simulation that answers after `latency` (none by default).
    public init(latency: Duration = .zero) {
        self.latency = latency
        self.calls = CallCounter()
    }

    /// How many calls this instance (and its copies) has answered or started answering.
    public var callCount: Int { calls.value }

    /// Answers `request` (see the type's summary).
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        let number = calls.next()
        if latency > .zero {
            try await SharedTimer.shared.sleep(for: latency)
        }
        try Task.checkCancellation()
        if !request.messages.isEmpty {
            return LLMResponse(content: "Response \(number)")
        }
        var answer = Self.answer(for: request.prompt, model: request.model)
        if let block = Self.statusBlockText(for: request.prompt, attempt: Self.attempt(in: request.options)) {
            answer += "\n\n```json\n\(block)\n```"
        }
        return LLMResponse(content: answer)
    }

    /// The deterministic answer text for a prompt (without any status block).
    public static func answer(for prompt: String, model: String = "") -> String {
        let digest = fingerprint(model + "\u{0}" + prompt)
        let hex = String(digest, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        let name = model.isEmpty ? "Simulated" : "Simulated \(model)"
        return "[\(name)] Response \(padded) to a prompt of \(prompt.count) characters."
    }

    /// The 64-bit FNV-1a hash of the text's UTF-8 bytes: stable across processes and
    /// platforms, unlike `hashValue`, which Swift seeds per process.
    public static func fingerprint(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The status block JSON the prompt's markers ask for, or `nil` when it has none.
    static func statusBlockText(for prompt: String, attempt: Int) -> String? {
        // The last marker: the node's own prompt comes last, after any preamble about the run.
        if let range = lastRange(of: statusMarker, in: prompt) {
            let rest = prompt[range.upperBound...]
            guard let open = rest.firstIndex(of: "{") else { return nil }
            return balancedObject(in: rest[open...])
        }
        if let range = lastRange(of: outcomeMarker, in: prompt) {
            let line = prompt[range.upperBound...].prefix(while: { $0 != "\n" })
            let entries = line.split(separator: ",").map { $0.trimmingSpacesAndNewlines() }.filter { !$0.isEmpty }
            guard let last = entries.last else { return nil }
            let entry = attempt < entries.count ? entries[max(attempt, 0)] : last
            return ContextValue.map(["outcome": .string(entry)]).jsonText
        }
        return nil
    }

    /// The last occurrence of `marker` in `text`, compared as UTF-8 bytes (Foundation's
    /// `range(of:)` converts the whole text to UTF-16 first, which costs more than the search).
    static func lastRange(of marker: String, in text: String) -> Range<String.Index>? {
        let needle = Array(marker.utf8)
        let haystack = Array(text.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start] == needle[0], haystack[start..<(start + needle.count)].elementsEqual(needle) {
                let lower = text.utf8.index(text.utf8.startIndex, offsetBy: start)
                return lower..<text.utf8.index(lower, offsetBy: needle.count)
            }
            start -= 1
        }
        return nil
    }

    /// The text from the first `{` of `text` to the `}` that closes it (JSON strings
    /// respected), or all of `text` when it never closes.
    private static func balancedObject(in text: Substring) -> String {
        var depth = 0
        var inString = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { return String(text[...index]) }
            default: break
            }
        }
        return String(text)
    }

    private static func attempt(in options: [String: ContextValue]) -> Int {
        switch options["attempt"] {
        case .integer(let value)?: return value
        case .double(let value)? where value.isFinite: return Int(value)
        case .string(let text)?: return Int(text) ?? 0
        default: return 0
        }
    }
}

/// A call counter shared by the copies of one `SimulatedLLM`.
private final class CallCounter: Sendable {
    private let count = Mutex(0)

    /// The number of the next call (1 for the first).
    func next() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }

    /// How many calls were counted.
    var value: Int { count.withLock { $0 } }
}
