import Testing
@testable import TrellisEngine

/// The run context's table, keyed by `ContextKey` (hashed with `ByteHash`), behaves as the
/// dictionary it replaced.
@Suite("Context table")
struct ContextTableTests {
    /// Keys of every shape: empty, short (inline strings), long, sharing prefixes and
    /// suffixes, non-ASCII, and built piece by piece so they do not share storage.
    static let keys: [String] = {
        var keys = ["", "a", "b", "ab", "ba", "session.input", "session.id", "session.agent_id", "outcome",
                    "preferred_label", "internal.loop_restart_count", "é", "e\u{301}", "K", "\u{212A}", "日本語.キー"]
        for length in 1...40 { keys.append(String(repeating: "x", count: length)) }
        for number in 0..<200 { keys.append("node.\(number).status") }
        return keys
    }()

    @Test("every key set reads back, overwrites replace, and nothing else is there")
    func setAndGet() {
        var context = Context()
        for (number, key) in Self.keys.enumerated() { context[key] = .integer(number) }
        #expect(context.count == Self.keys.count)
        for (number, key) in Self.keys.enumerated() {
            // A copy made from pieces, so the lookup cannot succeed by sharing the stored string.
            let rebuilt = String(decoding: Array(key.utf8), as: UTF8.self)
            #expect(context[rebuilt] == .integer(number), "key '\(key)'")
        }
        context["session.input"] = .string("again")
        #expect(context["session.input"] == .string("again"))
        #expect(context.count == Self.keys.count)
        #expect(context["session.inpu"] == nil)
        #expect(context["node.200.status"] == nil)
    }

    @Test("keys are compared by their bytes: canonically equivalent spellings are two keys")
    func bytesNotCanonicalEquivalence() {
        var context = Context()
        context["K"] = .integer(1)
        context["\u{212A}"] = .integer(2)
        context["é"] = .integer(3)
        context["e\u{301}"] = .integer(4)
        #expect(context.count == 4)
        #expect(context["K"] == .integer(1))
        #expect(context["\u{212A}"] == .integer(2))
        #expect(context["é"] == .integer(3))
        #expect(context["e\u{301}"] == .integer(4))
    }

    @Test("values, keys, forEach, apply and equality agree with the table")
    func views() {
        let values = Dictionary(uniqueKeysWithValues: Self.keys.filter { $0 != "\u{212A}" && $0 != "e\u{301}" }.enumerated()
            .map { ($0.element, ContextValue.integer($0.offset)) })
        let context = Context(values)
        #expect(context.values == values)
        #expect(Set(context.keys) == Set(values.keys))
        var seen: [String: ContextValue] = [:]
        context.forEach { key, value in seen[key] = value }
        #expect(seen == values)

        var applied = Context()
        applied.apply(values)
        #expect(applied == context)
        applied["a"] = .null
        #expect(applied != context)
        #expect(applied["a"] == .null)
        #expect(Context(minimumCapacity: 100) == Context())
    }

    @Test("a context from a template holds each value under its key, and grows like any other")
    func template() {
        let template = ContextTemplate(["session.id", "session.turn_count", "a"], capacity: 48)
        var context = Context(template, values: [.string("s1"), .integer(3), .null])
        #expect(context == Context(["session.id": .string("s1"), "session.turn_count": .integer(3), "a": .null]))
        for key in Self.keys { context[key] = .boolean(true) }
        #expect(context["session.turn_count"] == .integer(3))
        #expect(context["node.199.status"] == .boolean(true))
        // Each context made from the template is its own.
        #expect(Context(template, values: [.null, .null, .null])["session.id"] == .null)
    }
}
