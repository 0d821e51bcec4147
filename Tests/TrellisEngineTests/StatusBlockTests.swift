import Testing
@testable import TrellisEngine

@Suite("StatusBlock")
struct StatusBlockTests {
    @Test("a fenced json block at the end of an answer is the status block")
    func fencedBlock() {
        let answer = """
        I reviewed the change.

        ```json
        {"outcome": "fail", "preferred_next_label": "Fix", "suggested_next_ids": ["fix"],
         "context_updates": {"review.verdict": "changes", "count": 3}, "notes": "two problems"}
        ```
        """
        let expected = StatusBlock(
            status: .fail,
            preferredLabel: "Fix",
            suggestedNextIDs: ["fix"],
            contextUpdates: ["review.verdict": .string("changes"), "count": .integer(3)],
            notes: "two problems"
        )
        #expect(StatusBlock.find(in: answer) == .found(expected))
    }

    @Test("the last status block wins; data objects and other languages are ignored")
    func lastBlockWins() {
        let answer = """
        ```json
        {"outcome": "fail"}
        ```
        Here is some data: {"name": "x", "size": 2}
        ```swift
        let f = { (x: Int) in "}" }
        ```
        ```json
        {"outcome": "success", "preferred_next_label": "Ship"}
        ```
        ```json
        {"items": [1, 2]}
        ```
        """
        #expect(StatusBlock.find(in: answer) == .found(StatusBlock(status: .success, preferredLabel: "Ship")))
    }

    @Test("a bare trailing JSON object is found, braces inside strings included")
    func bareObject() {
        let answer = #"Done. {"outcome": "partial_success", "notes": "kept } and { in text"}"#
        #expect(StatusBlock.find(in: answer) == .found(StatusBlock(status: .partialSuccess, notes: "kept } and { in text")))
    }

    @Test("an answer without status keys has no status block")
    func noBlock() {
        #expect(StatusBlock.find(in: "Plain prose without JSON.") == .none)
        #expect(StatusBlock.find(in: #"Config: {"port": 8080}"#) == .none)
    }

    @Test("aliases: succeeded, failed, preferred_label, a single suggested id; missing outcome is success")
    func aliases() throws {
        #expect(try StatusBlock(jsonText: #"{"outcome": "Succeeded"}"#).status == .success)
        #expect(try StatusBlock(jsonText: #"{"outcome": "FAILED"}"#).status == .fail)
        let block = try StatusBlock(jsonText: #"{"preferred_label": "Go", "suggested_next_ids": "next"}"#)
        #expect(block == StatusBlock(status: .success, preferredLabel: "Go", suggestedNextIDs: ["next"]))
    }

    @Test("an unknown outcome word is malformed, never success")
    func unknownOutcome() {
        guard case .malformed(let error) = StatusBlock.find(in: #"{"outcome": "sucess"}"#) else {
            Issue.record("expected a malformed block")
            return
        }
        #expect(error.reason.contains("unknown outcome \"sucess\""))
    }

    @Test("a fenced block that mentions outcome but is not JSON is malformed")
    func brokenFencedBlock() {
        let answer = "```json\n{\"outcome\": \"fail\",}\n```"
        guard case .malformed(let error) = StatusBlock.find(in: answer) else {
            Issue.record("expected a malformed block")
            return
        }
        #expect(error.reason.contains("not valid JSON"))
    }

    @Test("wrongly typed fields are reported")
    func wrongTypes() {
        #expect(throws: StatusBlockError.self) { try StatusBlock(jsonText: #"{"outcome": 1}"#) }
        #expect(throws: StatusBlockError.self) { try StatusBlock(jsonText: #"{"outcome": "fail", "context_updates": [1]}"#) }
        #expect(throws: StatusBlockError.self) { try StatusBlock(jsonText: #"{"suggested_next_ids": [1]}"#) }
        #expect(throws: StatusBlockError.self) { try StatusBlock(jsonText: "[1]") }
    }

    @Test("jsonText writes the contract's field names and reads back the same block")
    func roundTrip() throws {
        let block = StatusBlock(
            status: .retry,
            preferredLabel: "Again",
            suggestedNextIDs: ["a", "b"],
            contextUpdates: ["k": .list([.boolean(true)])],
            notes: "n",
            failureReason: "flaky"
        )
        let text = block.jsonText
        #expect(text.contains("\"preferred_next_label\":\"Again\""))
        #expect(try StatusBlock(jsonText: text) == block)
        #expect(StatusBlock(outcome: block.outcome) == block)
    }
}
