import TrellisCore

/// A message as the store's `messages` table keeps it: its `role` and `content` columns and the
/// whole message as JSON (`message`), which is what loading reads back.
struct MessageRow {
    /// The `role` column.
    let role: String
    /// The `content` column.
    let content: String
    /// The `message` column: the message's JSON text.
    let json: String

    /// The row of `message`: a map with text `role` and `content` fills both columns; anything
    /// else is content without a role.
    init(_ message: ContextValue) {
        if case .map(let fields) = message {
            role = fields["role"]?.stringValue ?? ""
            content = fields["content"]?.stringValue ?? ""
        } else {
            role = ""
            content = message.stringValue
        }
        json = message.jsonText
    }

    /// The row of the message `{role, content}`, written without building its map: the same
    /// columns, and the same JSON text, as the map's.
    init(role: String, content: String) {
        self.role = role
        self.content = content
        var buffer = JSONBuffer(capacity: content.utf8.count + role.utf8.count + 26)
        MessageList.writeJSON(role: role, content: content, to: &buffer)
        json = buffer.text
    }
}
