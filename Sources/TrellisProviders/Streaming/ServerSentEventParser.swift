/// Turns the bytes of a `text/event-stream` body into events, however the bytes are split
/// into chunks (the WHATWG "event stream interpretation" rules).
///
/// Lines end in LF, CR or CRLF — a CR at the end of one chunk whose LF starts the next is one
/// line end, not two. `data:` lines accumulate (joined by LF) until a blank line dispatches the
/// event; a line starting with `:` is a comment (keep-alives); one space after the colon is
/// dropped; unknown fields are ignored, as the format requires. An event without data is not
/// dispatched.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var eventName = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var lastID: String?

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Feeds the next chunk of the body and returns the events it completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if lastWasCR {
                    lastWasCR = false
                    continue
                }
                endLine(into: &events)
            case UInt8(ascii: "\r"):
                lastWasCR = true
                endLine(into: &events)
            default:
                lastWasCR = false
                line.append(byte)
            }
        }
        return events
    }

    /// Whether bytes of an event that was never dispatched are pending: a stream that ends
    /// here was cut in the middle of an event.
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            if hasData {
                events.append(ServerSentEvent(event: eventName, data: String(decoding: data, as: UTF8.self), id: lastID))
            }
            eventName = ""
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = colon.map { line[..<$0] } ?? line[...]
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastID = String(decoding: value, as: UTF8.self) }
        default:
            break  // `retry:` and unknown fields: nothing a client of a model needs.
        }
    }
}
