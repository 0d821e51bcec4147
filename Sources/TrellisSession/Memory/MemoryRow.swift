import Foundation
import TrellisEngine

/// One row of `SQLiteMemory`'s `memories` table: the columns searched and sorted on, and
/// the entry itself, returned by recall exactly as it was stored.
struct MemoryRow: Sendable {
    /// Milliseconds since 1970.
    var createdAt: Int64
    var turn: Int
    var inputType: String
    var input: String
    var response: String
    /// The entry's `working_memory`, when it has one that is not null.
    var workingMemory: ContextValue?
    /// How many turns the row stands for: 1, or more for a digest.
    var mergedTurns: Int
    var entry: ContextValue

    /// The row for `entry` as `session.memory_update` writes it: a map with `input`,
    /// `response`, `input_type`, `turn` and optionally `working_memory`. Anything else is
    /// kept whole, its text searched as the input.
    init(entry: ContextValue, createdAt: Int64) {
        self.entry = entry
        self.createdAt = createdAt
        guard case .map(let fields) = entry else {
            turn = 0
            inputType = ""
            input = entry.stringValue
            response = ""
            workingMemory = nil
            mergedTurns = 1
            return
        }
        if case .integer(let number)? = fields["turn"] { turn = number } else { turn = 0 }
        inputType = fields["input_type"]?.stringValue ?? ""
        input = fields["input"]?.stringValue ?? ""
        response = fields["response"]?.stringValue ?? ""
        if let memory = fields["working_memory"], memory != .null { workingMemory = memory } else { workingMemory = nil }
        if case .integer(let number)? = fields["merged_turns"], number > 0 { mergedTurns = number } else { mergedTurns = 1 }
    }

    /// The digest of `rows` (oldest first, all of UTC day `day`), as `MemoryConsolidationPolicy` describes.
    static func digest(of rows: [MemoryRow], day: Int64, characterLimit: Int) -> MemoryRow {
        func joined(_ texts: [String]) -> String {
            String(texts.filter { !$0.isEmpty }.joined(separator: "\n").prefix(characterLimit))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let date = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(day) * 86_400))
        var fields: [String: ContextValue] = [
            "input": .string(joined(rows.map(\.input))),
            "response": .string(joined(rows.map(\.response))),
            "input_type": .string("digest"),
            "turn": .integer(rows.map(\.turn).max() ?? 0),
            "merged_turns": .integer(rows.reduce(0) { $0 + $1.mergedTurns }),
            "day": .string(date),
        ]
        if let memory = rows.last(where: { $0.workingMemory != nil })?.workingMemory { fields["working_memory"] = memory }
        return MemoryRow(entry: .map(fields), createdAt: rows.map(\.createdAt).max() ?? 0)
    }

    /// Inserts the row for `agentID` (the FTS index follows through the table's trigger).
    func insert(agentID: String, into database: SQLiteDatabase) throws {
        let memoryText: SQLiteValue
        switch workingMemory {
        case nil: memoryText = .null
        case .string(let text)?: memoryText = .text(text)
        case let value?: memoryText = .text(value.jsonText)
        }
        try database.run("""
            INSERT INTO memories(agent_id, created_at, turn, input_type, input, response, working_memory, merged_turns, entry)
            VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """, [
                .text(agentID), .integer(createdAt), .integer(Int64(turn)), .text(inputType), .text(input),
                .text(response), memoryText, .integer(Int64(mergedTurns)), .text(entry.jsonText),
            ])
    }
}
