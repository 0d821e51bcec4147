import Testing
import TrellisCore

@Suite("MessageList: compact messages that read as a list of maps")
struct MessageListTests {
    /// Messages of every shape a session keeps: plain turns, a custom role, a tool call, a tool
    /// result, a summary, and values that are not `{role, content}` text maps at all.
    static let mixed: [ContextValue] = [
        ["role": "user", "content": "hello there"],
        ["role": "assistant", "content": "Response 1"],
        ["role": "narrator", "content": "a custom role, spelled out"],
        ["role": "assistant", "content": "", "tool_calls": [["id": "call_1", "name": "clock", "arguments": "{}"]]],
        ["role": "tool", "content": "12:00", "tool_call_id": "call_1", "name": "clock", "is_error": false],
        ["role": "system", "content": "Summary of the earlier conversation: ...", "summary": true],
        ["role": "user", "content": ""],
        ["role": "user"],
        ["role": 3, "content": "a number as role"],
        "not a map",
        .null,
        ["role": "user", "content": "ünïcödé ✓ 日本語"],
    ]

    @Test("appended messages read back as the maps they were")
    func appendReadsBack() {
        let messages = MessageList(Self.mixed)
        #expect(messages.count == Self.mixed.count)
        #expect(Array(messages) == Self.mixed)
        for (index, message) in Self.mixed.enumerated() { #expect(messages[index] == message, "message \(index)") }
        var built = MessageList()
        built.append(role: "user", content: "hello there")
        built.append(role: "assistant", content: "Response 1")
        #expect(built == [Self.mixed[0], Self.mixed[1]])
        #expect(built.roleAndContent(at: 1)! == ("assistant", "Response 1"))
        #expect(messages.roleAndContent(at: 2)! == ("narrator", "a custom role, spelled out"))
        #expect(messages.roleAndContent(at: 7) == nil)
        #expect(messages.roleAndContent(at: 9) == nil)
    }

    @Test("as a context value it equals, hashes and encodes as the same list")
    func contextValueIsTheList() throws {
        let compact = ContextValue.messages(MessageList(Self.mixed))
        let list = ContextValue.list(Self.mixed)
        #expect(compact == list)
        #expect(list == compact)
        #expect(compact.hashValue == list.hashValue)
        #expect(Set([compact, list]).count == 1)
        #expect(compact.jsonText == list.jsonText)
        #expect(compact.stringValue == list.stringValue)
        #expect(compact.list == Self.mixed)
        #expect(compact.listCount == Self.mixed.count)
        #expect(try ContextValue(jsonText: compact.jsonText) == list)
        #expect(compact != .list(Array(Self.mixed.dropLast())))
        #expect(compact != .list(Array(Self.mixed.dropLast()) + [["role": "user", "content": "other"]]))
        #expect(compact != .map([:]))
        #expect(ContextValue.messages(MessageList()) == .list([]))
        #expect(ContextValue.messages(MessageList()).jsonText == "[]")
        #expect(ContextValue.list(Self.mixed).messageList == MessageList(Self.mixed))
        #expect(ContextValue.string("x").messageList == nil)
    }

    @Test("text equal as Swift strings is equal, whatever its bytes")
    func canonicalEquivalence() {
        let composed = MessageList([["role": "user", "content": "caf\u{E9}"]])
        let decomposed = MessageList([["role": "user", "content": "cafe\u{301}"]])
        #expect(composed == decomposed)
        #expect(ContextValue.messages(composed) == .list([["role": "user", "content": "cafe\u{301}"]]))
        #expect(ContextValue.messages(composed).hashValue == ContextValue.messages(decomposed).hashValue)
    }

    @Test("slices append as they are, wherever they start")
    func slicing() {
        let messages = MessageList(Self.mixed)
        for start in 0...Self.mixed.count {
            var tail = MessageList()
            tail.append(contentsOf: messages[start...])
            #expect(tail == Array(Self.mixed[start...]), "from \(start)")
            var head = MessageList()
            head.append(contentsOf: messages[..<start])
            head.append(role: "user", content: "inserted")
            head.append(contentsOf: messages[start...])
            var expected = Array(Self.mixed[..<start])
            expected.append(["role": "user", "content": "inserted"])
            expected += Self.mixed[start...]
            #expect(head == expected, "split at \(start)")
        }
    }

    @Test("replacing a range keeps the rest in order")
    func replacing() {
        var messages = MessageList(Self.mixed)
        let summary: ContextValue = ["role": "system", "content": "Summary", "summary": true]
        messages.replaceSubrange(0..<5, with: [summary])
        #expect(messages == [summary] + Array(Self.mixed[5...]))
        messages.replaceSubrange(1..<3, with: [])
        #expect(messages == [summary] + Array(Self.mixed[7...]))
        messages.replaceSubrange(messages.count..<messages.count, with: [["role": "user", "content": "last"]])
        #expect(messages.last == ["role": "user", "content": "last"])
    }

    @Test("a copy is independent, and an unshared list appends in place")
    func copyOnWrite() {
        var original = MessageList(Self.mixed)
        let identity = original.storageIdentity
        original.append(role: "user", content: "in place")
        #expect(original.storageIdentity == identity)
        var copy = original
        copy.append(role: "assistant", content: "only in the copy")
        #expect(copy.storageIdentity != identity)
        #expect(original.storageIdentity == identity)
        #expect(original.count == Self.mixed.count + 1)
        #expect(copy.count == Self.mixed.count + 2)
        #expect(copy.last == ["role": "assistant", "content": "only in the copy"])
        #expect(MessageList().storageIdentity == MessageList().storageIdentity, "empty lists share one storage")
    }

    @Test("a long conversation reads back exactly")
    func longConversation() {
        var messages = MessageList()
        var expected: [ContextValue] = []
        for turn in 0..<2_000 {
            let user = String(repeating: "word\(turn) ", count: turn % 7)
            messages.append(role: "user", content: user)
            messages.append(role: "assistant", content: "Response \(turn)")
            expected.append(["role": "user", "content": .string(user)])
            expected.append(["role": "assistant", "content": .string("Response \(turn)")])
        }
        #expect(messages == expected)
        #expect(ContextValue.messages(messages).jsonText == ContextValue.list(expected).jsonText)
    }
}
