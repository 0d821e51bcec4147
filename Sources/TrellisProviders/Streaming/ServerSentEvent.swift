/// One event of a `text/event-stream` response: the fields a provider's stream carries.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, empty when the event had none (the spec's default type `message`).
    public var event: String
    /// The `data:` lines joined with newlines.
    public var data: String
    /// The `id:` field, if any.
    public var id: String?

    /// Creates an event.
    public init(event: String = "", data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
