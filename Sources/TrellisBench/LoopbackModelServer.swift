import Foundation
import TrellisCore
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A stand-in OpenAI chat-completions server on `127.0.0.1` for the adapter benchmarks.
///
/// One thread runs one `poll` loop over every connection: the server adds exactly one thread
/// to the process however many requests wait on it, so the thread count the benchmarks read is
/// the client's. It speaks just enough HTTP/1.1 for an HTTP client (keep-alive, `Content-Length`
/// request bodies, `Expect: 100-continue`, chunked responses) and stamps, on the monotonic
/// clock the benchmarks also read, how long each request took it and when it wrote each
/// streamed answer's first token.
final class LoopbackModelServer: Sendable {
    /// How the server answers every request.
    enum Mode: Sendable {
        /// A whole chat-completions JSON body at once.
        case immediate
        /// An event stream: the head at once, the first token after `firstTokenAfter` (a model
        /// thinking), the rest 1 ms later.
        case streamed(firstTokenAfter: Duration)
        /// A whole JSON body after `delay` (a slow model), without holding a thread meanwhile.
        case delayed(Duration)
    }

    /// What the server measured, read by the benchmarks between runs.
    struct Records: Sendable {
        /// Nanoseconds from the wake-up that read a request's last bytes to the end of the
        /// write of its whole response (`immediate` only), in arrival order.
        var handling: [UInt64] = []
        /// Monotonic nanoseconds just before the first token's event was written (`streamed`).
        var firstTokenWritten: [UInt64] = []
        /// Requests answered.
        var served = 0
        /// Most connections open at once.
        var peakConnections = 0
        /// Most requests received and not yet answered at once.
        var peakPending = 0
        /// Monotonic nanoseconds of the first and the last request to arrive whole (`delayed`).
        var firstArrival: UInt64 = 0
        var lastArrival: UInt64 = 0
        /// CPU time the server's thread has used since it started, in seconds (rewritten on
        /// every turn of the loop, so `reset` does not lose it).
        var cpuSeconds = 0.0
    }

    /// The port it listens on.
    let port: Int
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let mode: Mode
    private let records = Mutex(Records())
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts a server answering in `mode` on an ephemeral port.
    init(mode: Mode) throws {
        self.mode = mode
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("loopback server: socket() failed, errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // A backlog as deep as the kernel allows: a thousand sessions connect at once.
        guard bound == 0, listen(fd, 4096) == 0 else {
            close(fd)
            throw BenchFailure("loopback server: bind/listen on 127.0.0.1 failed, errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(fd)
            throw BenchFailure("loopback server: pipe() failed, errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        let thread = Thread { [self] in
            // Named from inside: on Linux a thread starts with its creator's name, and the
            // thread census of the slow-model benchmark reads names.
            nameCurrentThread("model-server")
            serve()
            stopped.signal()
        }
        thread.start()
    }

    /// The base URL a provider adapter uses to reach this server.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// What was measured since the last `reset`.
    var measured: Records { records.withLock { $0 } }

    /// Forgets the measurements (peaks included), between warm-up and the measured run.
    func reset() { records.withLock { $0 = Records() } }

    /// Waits (at most a second) until `count` requests are answered since the last `reset`:
    /// a client can read its answer before the server's thread has recorded its figures.
    func waitUntilServed(_ count: Int) async {
        let deadline = ContinuousClock.now + .seconds(1)
        while measured.served < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .microseconds(100)) }
    }

    /// Stops the loop, closes every socket and waits for the thread to end.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        stopped.wait()
        close(wakeWrite)
    }

    /// Monotonic nanoseconds (`CLOCK_MONOTONIC`), comparable across threads.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    // MARK: The loop (runs on the server's thread only)

    /// What a connection waits for next.
    private enum Step {
        case reading
        case firstToken
        case rest
        case delayedAnswer
    }

    private struct Connection {
        var fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var requestStarted: UInt64?
        var step = Step.reading
        var due: UInt64 = 0
    }

    private func serve() {
        var connections: [Int32: Connection] = [:]
        var pending = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        loop: while true {
            var polled: [pollfd] = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                                    pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            var nextDue = UInt64.max
            for connection in connections.values {
                var events = Int16(POLLIN)
                if !connection.output.isEmpty { events |= Int16(POLLOUT) }
                polled.append(pollfd(fd: connection.fd, events: events, revents: 0))
                if connection.step != .reading { nextDue = min(nextDue, connection.due) }
            }
            // `poll` (milliseconds, rounded up): Glibc's module does not export `ppoll`, and the
            // benchmarks stamp when the server writes, not when it meant to.
            var timeout: Int32 = -1
            if nextDue != .max {
                let start = Self.now()
                let wait = nextDue > start ? nextDue - start : 0
                timeout = Int32(min((wait + 999_999) / 1_000_000, 60_000))
            }
            let ready = poll(&polled, nfds_t(polled.count), timeout)
            let woke = Self.now()
            if ready < 0 && errno != EINTR { break }
            if polled[0].revents != 0 { break loop }
            if polled[1].revents != 0 {
                while true {
                    let client = accept(listener, nil, nil)
                    if client < 0 { break }
                    _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                    // Small writes must leave at once: Nagle would add its delay to every figure.
                    var one: Int32 = 1
                    setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    connections[client] = Connection(fd: client)
                }
                let open = connections.count
                records.withLock { $0.peakConnections = max($0.peakConnections, open) }
            }
            for entry in polled.dropFirst(2) where entry.revents != 0 {
                guard var connection = connections[entry.fd] else { continue }
                var closed = false
                if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    let count = read(connection.fd, &buffer, buffer.count)
                    if count > 0 {
                        connection.input += buffer[0..<count]
                    } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        closed = true
                    }
                }
                if !closed { closed = !flush(&connection) }
                if !closed, connection.step == .reading, let requestEnd = Self.requestEnd(connection.input) {
                    connection.input.removeFirst(requestEnd)
                    // The server's own time starts when the request is whole: waiting for
                    // the client's later segments is the client's time, not the server's.
                    connection.requestStarted = woke
                    closed = !respond(&connection, pending: &pending)
                } else if !closed, connection.step == .reading, Self.expectsContinue(connection.input) {
                    connection.output += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    closed = !flush(&connection)
                }
                if closed {
                    if connection.step == .delayedAnswer { pending -= 1 }
                    close(connection.fd)
                    connections[entry.fd] = nil
                } else {
                    connections[entry.fd] = connection
                }
            }
            var cpu = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu)
            let used = Double(cpu.tv_sec) + Double(cpu.tv_nsec) / 1e9
            records.withLock { $0.cpuSeconds = used }
            // Timed steps whose moment has come.
            let now = Self.now()
            for (fd, var connection) in connections where connection.step != .reading && connection.due <= now {
                if advance(&connection, pending: &pending) {
                    connections[fd] = connection
                } else {
                    close(fd)
                    connections[fd] = nil
                }
            }
        }
        for connection in connections.values { close(connection.fd) }
        close(listener)
        close(wakeRead)
    }

    /// Answers a complete request (or schedules its answer). Returns `false` when the connection broke.
    private func respond(_ connection: inout Connection, pending: inout Int) -> Bool {
        switch mode {
        case .immediate:
            connection.output += Self.plainAnswer
            let ok = flush(&connection)
            let handled = Self.now() - (connection.requestStarted ?? Self.now())
            connection.requestStarted = nil
            records.withLock {
                $0.handling.append(handled)
                $0.served += 1
            }
            return ok
        case .streamed(let firstTokenAfter):
            connection.output += Self.streamHead
            connection.step = .firstToken
            connection.due = Self.now() + Self.nanoseconds(firstTokenAfter)
            return flush(&connection)
        case .delayed(let delay):
            connection.step = .delayedAnswer
            connection.due = Self.now() + Self.nanoseconds(delay)
            pending += 1
            let waiting = pending
            let arrived = connection.requestStarted ?? Self.now()
            records.withLock {
                $0.peakPending = max($0.peakPending, waiting)
                if $0.firstArrival == 0 { $0.firstArrival = arrived }
                $0.lastArrival = arrived
            }
            return true
        }
    }

    /// Takes a connection's timed step. Returns `false` when the connection broke.
    private func advance(_ connection: inout Connection, pending: inout Int) -> Bool {
        switch connection.step {
        case .reading:
            return true
        case .firstToken:
            let stamp = Self.now()
            connection.output += Self.chunk(Self.event(#"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}"#))
            records.withLock { $0.firstTokenWritten.append(stamp) }
            connection.step = .rest
            connection.due = Self.now() + 1_000_000
        case .rest:
            var rest = Self.event(#"{"choices":[{"index":0,"delta":{"content":" from the"}}]}"#)
            rest += Self.event(#"{"choices":[{"index":0,"delta":{"content":" loopback model."}}]}"#)
            rest += Self.event(#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
            rest += Self.event(#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7}}"#)
            rest += Self.event("[DONE]")
            connection.output += Self.chunk(rest) + Array("0\r\n\r\n".utf8)
            connection.step = .reading
            connection.requestStarted = nil
            records.withLock { $0.served += 1 }
        case .delayedAnswer:
            connection.output += Self.plainAnswer
            connection.step = .reading
            connection.requestStarted = nil
            pending -= 1
            records.withLock { $0.served += 1 }
        }
        return flush(&connection)
    }

    /// Writes what the socket takes now; the rest waits for `POLLOUT`. `false`: the peer is gone.
    private func flush(_ connection: inout Connection) -> Bool {
        while !connection.output.isEmpty {
            let written = connection.output.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                connection.output.removeFirst(written)
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                return true
            } else {
                return false
            }
        }
        return true
    }

    /// The length of the first complete request in `input` (head and `Content-Length` body), or `nil`.
    private static func requestEnd(_ input: [UInt8]) -> Int? {
        guard let headEnd = headEnd(input) else { return nil }
        let head = String(decoding: input[0..<headEnd], as: UTF8.self).lowercased()
        var bodyLength = 0
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return input.count >= headEnd + bodyLength ? headEnd + bodyLength : nil
    }

    /// Whether a complete head without its body asks for `100 Continue`.
    private static func expectsContinue(_ input: [UInt8]) -> Bool {
        guard let headEnd = headEnd(input), input.count == headEnd else { return false }
        return String(decoding: input[0..<headEnd], as: UTF8.self).lowercased().contains("expect: 100-continue")
    }

    /// The offset just past the blank line ending the head, or `nil`.
    private static func headEnd(_ input: [UInt8]) -> Int? {
        guard input.count >= 4 else { return nil }
        for index in 3..<input.count where input[index] == 10 && input[index - 1] == 13 && input[index - 2] == 10 && input[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
    }

    private static func event(_ data: String) -> [UInt8] { Array("data: \(data)\n\n".utf8) }

    private static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8)
    }

    /// The canned non-streamed answer, head and body.
    static let plainAnswer: [UInt8] = {
        let body = #"{"id":"chatcmpl-bench","object":"chat.completion","model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the loopback model."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7}}"#
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: keep-alive\r\n\r\n"
        return Array((head + body).utf8)
    }()

    private static let streamHead = Array(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n".utf8)
}
