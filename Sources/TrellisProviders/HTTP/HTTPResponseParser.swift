/// Reads one HTTP/1.1 response from the bytes of a connection as they arrive: the head, then
/// the body framed by `Content-Length`, by chunked transfer coding, or by the end of the
/// connection. Interim `1xx` responses are skipped. Body bytes are handed on as they come, so
/// a streamed answer reaches its reader piece by piece.
struct HTTPResponseParser {
    /// What one call to `feed` found, in order.
    enum Event: Equatable {
        case head(HTTPResponseHead)
        case body([UInt8])
        case end
    }

    /// Why the bytes are not an HTTP response.
    struct Malformed: Error { var reason: String }

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    /// Longest head (status line and headers) accepted.
    static let headLimit = 256 * 1024

    private var state = State.head
    private var pending: [UInt8] = []
    private let bodiless: Bool
    /// Whether the connection may carry another request once this response has ended.
    private(set) var keepAlive = true
    /// Whether any byte of the response has arrived (a reused connection that closes before
    /// one did may be retried on a fresh one).
    private(set) var started = false
    /// Whether the response has ended.
    var finished: Bool { if case .done = state { true } else { false } }
    /// Whether the head has been read.
    var hasHead: Bool { if case .head = state { false } else { true } }

    /// Whether the next bytes are body bytes rather than lines.
    private var readsBody: Bool {
        switch state {
        case .fixed, .chunkData, .untilClose: true
        default: false
        }
    }

    /// A parser for the response to a request with `method` (a `HEAD` answer has no body).
    init(method: String) { bodiless = method == "HEAD" }

    /// Consumes `bytes` and returns what they completed.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> [Event] {
        if !bytes.isEmpty { started = true }
        var events: [Event] = []
        var input = bytes[...]
        while !input.isEmpty {
            switch state {
            case .head, .chunkSize, .chunkDataEnd, .trailers:
                // Line-oriented states gather bytes until the line (or head) is whole.
                pending.append(contentsOf: input)
                input = input[input.endIndex...]
                try parseLines(into: &events)
                if !pending.isEmpty, readsBody {
                    // The line-oriented state left body bytes behind: feed them again.
                    let rest = pending
                    pending = []
                    events += try rest.withUnsafeBytes { raw in Result { () throws(Malformed) in try feed(raw) } }.get()
                }
            case .fixed(let remaining):
                let count = min(remaining, input.count)
                events.append(.body(Array(input.prefix(count))))
                input = input.dropFirst(count)
                if remaining == count {
                    state = .done
                    events.append(.end)
                } else {
                    state = .fixed(remaining: remaining - count)
                }
            case .chunkData(let remaining):
                let count = min(remaining, input.count)
                events.append(.body(Array(input.prefix(count))))
                input = input.dropFirst(count)
                state = remaining == count ? .chunkDataEnd : .chunkData(remaining: remaining - count)
            case .untilClose:
                events.append(.body(Array(input)))
                input = input[input.endIndex...]
            case .done:
                throw Malformed(reason: "the server sent bytes after the end of the response")
            }
        }
        return events
    }

    /// The connection ended: completes a body read to the end of the connection, or says
    /// what was missing.
    mutating func connectionClosed() -> Event? {
        if case .untilClose = state {
            state = .done
            return .end
        }
        return nil
    }

    /// Handles the complete lines in `pending` for the line-oriented states, leaving any bytes
    /// past them (body bytes) in `pending`.
    private mutating func parseLines(into events: inout [Event]) throws(Malformed) {
        while true {
            switch state {
            case .head:
                guard let end = Self.find([13, 10, 13, 10], in: pending) else {
                    if pending.count > Self.headLimit { throw Malformed(reason: "the response head is longer than \(Self.headLimit) bytes") }
                    return
                }
                let head = try parseHead(pending[..<end])
                pending.removeFirst(end + 4)
                if (100..<200).contains(head.status) { continue }  // 100 Continue and friends: the real answer follows
                events.append(.head(head))
                try frameBody(head)
                if case .done = state { events.append(.end) }
                if case .chunkSize = state { continue }  // the first chunk may have come with the head
                return
            case .chunkSize:
                guard let end = Self.find([13, 10], in: pending) else { return try limitLine() }
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                let digits = line.prefix { $0 != ";" }.trimmed()
                guard let size = Int(digits, radix: 16), size >= 0 else { throw Malformed(reason: "bad chunk size '\(line.prefix(40))'") }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
                if size > 0 { return }
            case .chunkDataEnd:
                guard pending.count >= 2 else { return }
                guard pending[0] == 13, pending[1] == 10 else { throw Malformed(reason: "a chunk does not end with CRLF") }
                pending.removeFirst(2)
                state = .chunkSize
            case .trailers:
                guard let end = Self.find([13, 10], in: pending) else { return try limitLine() }
                pending.removeFirst(end + 2)
                if end == 0 {
                    state = .done
                    events.append(.end)
                    if !pending.isEmpty { throw Malformed(reason: "the server sent bytes after the end of the response") }
                    return
                }
            default:
                return
            }
        }
    }

    private func limitLine() throws(Malformed) {
        if pending.count > 4096 { throw Malformed(reason: "a chunk line is longer than 4096 bytes") }
    }

    private mutating func parseHead(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> HTTPResponseHead {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let statusLine = lines.popFirst(), statusLine.hasPrefix("HTTP/1.") else {
            throw Malformed(reason: "the answer is not HTTP/1.x")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]), (100...999).contains(status) else {
            throw Malformed(reason: "bad status line '\(statusLine.prefix(60))'")
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(reason: "a header line has no colon") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmed()
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        keepAlive = statusLine.hasPrefix("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive")
        return HTTPResponseHead(status: status, headers: headers)
    }

    private mutating func frameBody(_ head: HTTPResponseHead) throws(Malformed) {
        if bodiless || head.status == 204 || head.status == 304 {
            state = .done
        } else if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            state = .chunkSize
        } else if let length = head.headers["content-length"] {
            guard let count = Int(length), count >= 0 else { throw Malformed(reason: "bad Content-Length '\(length.prefix(40))'") }
            state = count == 0 ? .done : .fixed(remaining: count)
        } else {
            state = .untilClose
            keepAlive = false
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] {
                var match = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}

private extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
