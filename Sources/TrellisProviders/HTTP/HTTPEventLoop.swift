import CEpoll
import Foundation
import Glibc
import TrellisCore

/// The thread that does all of one `HTTPClient`'s network I/O: one `epoll` set over every
/// connection (edge-triggered), non-blocking sockets, a keep-alive pool per server, and the
/// requests' deadlines as the `epoll_wait` timeout.
///
/// Other threads talk to it only through `submit` (a command queue behind `LockedValue` and
/// an `eventfd` that wakes the loop). Everything else — connections, pools, exchanges' places —
/// is touched by the loop's thread alone, which is what makes `@unchecked Sendable` hold.
final class HTTPEventLoop: @unchecked Sendable {
    /// What other threads ask of the loop.
    enum Command {
        case start(HTTPExchange)
        case cancel(HTTPExchange)
        case resolved(HTTPExchange, HTTPOrigin, Result<[SocketAddress], HTTPError>)
        case stop
    }

    private struct Inbox {
        var commands: [Command] = []
        /// The loop has ended and closed its descriptors: nothing more may be written to them.
        var closed = false
    }

    /// The connections to one server (or tunnelled to it through one proxy).
    private struct Pool {
        var idle: [HTTPConnection] = []
        /// Connections open or being opened, idle ones included.
        var open = 0
        /// Requests waiting for a connection because `open` reached the limit.
        var waiting: [HTTPExchange] = []
    }

    private let inbox = LockedValue(Inbox())
    private let epoll: Int32
    private let wake: Int32
    private let maximumConnectionsPerHost: Int
    private let tls: TLSContext?
    private let proxies: HTTPProxySettings
    private let resolver = HTTPResolver()

    // Loop thread only.
    /// The client is gone: the loop ends once the requests still running have ended.
    private var stopping = false
    private var connections: [Int32: HTTPConnection] = [:]
    private var pools: [HTTPOrigin: Pool] = [:]
    private var running: [ObjectIdentifier: HTTPExchange] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)

    /// Starts the loop's thread.
    init(maximumConnectionsPerHost: Int, tls: TLSContext?, proxies: HTTPProxySettings) throws(HTTPError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard epoll >= 0, wake >= 0 else {
            let reason = Errno(errno)
            if epoll >= 0 { close(epoll) }
            throw .connection("the HTTP client cannot set up epoll: \(reason)")
        }
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
        self.tls = tls
        self.proxies = proxies
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wake))
        epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
        Thread { [self] in run() }.start()
    }

    /// Hands `command` to the loop. Any thread. Once the loop has ended, a request to start
    /// fails at once (its caller must not wait for a loop that is gone) and anything else is
    /// dropped (a DNS answer for a request whose deadline already passed can come that late).
    func submit(_ command: Command) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.commands.append(command)
            // Under the lock, so the loop cannot close the eventfd (and its number be reused)
            // between the check and the write. A non-blocking write of 8 bytes: it never waits.
            if inbox.commands.count == 1 {
                var one: UInt64 = 1
                _ = write(wake, &one, 8)
            }
            return true
        }
        if !accepted, case .start(let exchange) = command {
            exchange.fail(.connection("the HTTP client was shut down before the request to \(exchange.target.origin) started"))
        }
    }

    // MARK: The loop

    private func run() {
        // The kernel's name, so thread censuses (`/proc/self/task/*/comm`) can tell it apart.
        nameCurrentThread("trellis-http")
        // OpenSSL writes to its socket with write(2), which raises SIGPIPE when the server has
        // closed the connection; blocked on this thread, that becomes an EPIPE error instead
        // of the end of the process.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        while true {
            let ready = epoll_wait(epoll, &events, Int32(events.count), timeoutMilliseconds())
            if ready < 0 && errno != EINTR {
                fatalError("epoll_wait failed: \(Errno(errno))")  // only on a programming error (bad descriptor)
            }
            for index in 0..<max(0, Int(ready)) {
                let fd = events[index].data.fd
                if fd == wake {
                    var count: UInt64 = 0
                    _ = read(wake, &count, 8)
                    handleCommands()
                } else if let connection = connections[fd] {
                    drive(connection, events: events[index].events)
                }
            }
            expireDeadlines()
            if stopping && running.isEmpty {
                shutDown()
                return
            }
        }
    }

    /// Runs the queued commands.
    private func handleCommands() {
        let commands = inbox.withLock { inbox in
            defer { inbox.commands.removeAll(keepingCapacity: true) }
            return inbox.commands
        }
        for command in commands {
            switch command {
            case .start(let exchange):
                guard !exchange.isFinished else { continue }
                running[ObjectIdentifier(exchange)] = exchange
                start(exchange, fresh: false)
            case .cancel(let exchange):
                abort(exchange, .cancelled)
            case .resolved(let exchange, let peer, let addresses):
                guard running[ObjectIdentifier(exchange)] != nil, case .resolving = exchange.place else { continue }
                switch addresses {
                case .success(let addresses): connect(exchange, peer: peer, addresses: addresses)
                case .failure(let error): connectionEnded(exchange.target.origin, failing: exchange, error)
                }
            case .stop:
                // A body stream may outlive its client: its request finishes first.
                stopping = true
            }
        }
    }

    private func shutDown() {
        inbox.withLock { $0.closed = true }
        for connection in connections.values { connection.close() }
        connections.removeAll()
        resolver.stop()
        close(epoll)
        close(wake)
    }

    /// Milliseconds until the nearest deadline, -1 when nothing runs.
    private func timeoutMilliseconds() -> Int32 {
        guard let nearest = running.values.lazy.map(\.deadline).min() else { return -1 }
        let now = HTTPExchange.now()
        guard nearest > now else { return 0 }
        return Int32(min((nearest - now + 999_999) / 1_000_000, 60_000))
    }

    private func expireDeadlines() {
        let now = HTTPExchange.now()
        for exchange in running.values where exchange.deadline <= now {
            abort(exchange, .timedOut(exchange.timeout, server: exchange.target.origin.description))
        }
    }

    // MARK: Exchanges

    /// Puts `exchange` on an idle connection, a new one, or the pool's queue.
    private func start(_ exchange: HTTPExchange, fresh: Bool) {
        let origin = exchange.target.origin
        var pool = pools[origin, default: Pool()]
        if !fresh, let connection = pool.idle.popLast() {
            pools[origin] = pool
            assign(exchange, to: connection)
            return
        }
        guard pool.open < maximumConnectionsPerHost else {
            exchange.place = .waitingForConnection
            pool.waiting.append(exchange)
            pools[origin] = pool
            return
        }
        pool.open += 1
        pools[origin] = pool
        var peer = origin
        if let proxy = proxies.proxy(for: origin) {
            switch proxy.server {
            case .success(let server): peer = server
            case .failure(let error): return connectionEnded(origin, failing: exchange, error)
            }
        }
        if let address = SocketAddress(numericHost: peer.host, port: peer.port) {
            connect(exchange, peer: peer, addresses: [address])
        } else {
            exchange.place = .resolving
            resolver.resolve(peer.host, port: peer.port) { [self, peer] addresses in
                submit(.resolved(exchange, peer, addresses))
            }
        }
    }

    /// Opens a connection for `exchange` to the first of `addresses` that takes it.
    private func connect(_ exchange: HTTPExchange, peer: HTTPOrigin, addresses: [SocketAddress]) {
        var remaining = addresses[...]
        var lastError = Errno(ECONNREFUSED)
        while let address = remaining.popFirst() {
            switch HTTPConnection.open(to: address, origin: exchange.target.origin, peer: peer, fallbacks: Array(remaining)) {
            case .success(let connection):
                connections[connection.fd] = connection
                var event = epoll_event(events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue,
                                        data: epoll_data_t(fd: connection.fd))
                epoll_ctl(epoll, EPOLL_CTL_ADD, connection.fd, &event)
                connection.exchange = exchange
                exchange.place = .on(connection)
                return
            case .failure(let error):
                lastError = error
            }
        }
        connectionEnded(exchange.target.origin, failing: exchange, .connection(Self.connectFailure(peer: peer, origin: exchange.target.origin, lastError)))
    }

    private static func connectFailure(peer: HTTPOrigin, origin: HTTPOrigin, _ error: Errno) -> String {
        peer == origin ? "cannot connect to \(origin): \(error)" : "cannot connect to the proxy \(peer) for \(origin): \(error)"
    }

    /// Starts `exchange` on a connection that is ready and idle.
    private func assign(_ exchange: HTTPExchange, to connection: HTTPConnection) {
        connection.exchange = exchange
        connection.output = exchange.requestBytes
        connection.sent = 0
        connection.parser = HTTPResponseParser(method: exchange.method)
        exchange.place = .on(connection)
        drive(connection, events: 0)
    }

    /// Ends `exchange` with `error` wherever it is; its connection, if any, is closed.
    private func abort(_ exchange: HTTPExchange, _ error: HTTPError) {
        guard running[ObjectIdentifier(exchange)] != nil else {
            exchange.fail(error)  // not started yet (or over): the caller still learns why
            return
        }
        switch exchange.place {
        case .on(let connection):
            connection.exchange = nil
            discard(connection)
        case .waitingForConnection:
            pools[exchange.target.origin]?.waiting.removeAll { $0 === exchange }
        case .resolving:
            // The resolver's answer will find the exchange gone; its connection slot is free now.
            connectionEnded(exchange.target.origin, failing: nil, nil)
        case .queued:
            break
        }
        finish(exchange, error)
    }

    private func finish(_ exchange: HTTPExchange, _ error: HTTPError?) {
        running[ObjectIdentifier(exchange)] = nil
        if let error { exchange.fail(error) } else { exchange.complete() }
    }

    // MARK: Connections

    /// Takes `connection` as far as its socket allows.
    private func drive(_ connection: HTTPConnection, events: UInt32) {
        while true {
            switch connection.phase {
            case .closed:
                return
            case .connecting:
                let error = connection.connectError
                if error != 0 { return connectFailed(connection, Errno(error)) }
                // Edge-triggered: the connection is up once the socket turned writable.
                guard events & (EPOLLOUT.rawValue | EPOLLIN.rawValue) != 0 else { return }
                if connection.peer != connection.origin {
                    connection.phase = .tunnelling
                    let authority = connection.origin.description
                    connection.output = Array("CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n\r\n".utf8)
                    connection.sent = 0
                } else {
                    guard secure(connection) else { return }
                }
            case .tunnelling:
                switch connection.flush() {
                case .wait: return
                case .failed(let reason): return fail(connection, .proxy(reason))
                case .done: break
                }
                guard let head = readTunnelReply(connection) else { return }
                guard (200..<300).contains(head.status) else {
                    return fail(connection, .proxy("the proxy \(connection.peer) refused to tunnel to \(connection.origin): status \(head.status)"))
                }
                guard secure(connection) else { return }
            case .handshaking:
                switch connection.handshake() {
                case .wait: return
                case .failed(let reason): return fail(connection, .tls(reason))
                case .done: connection.phase = .ready
                }
                if let exchange = connection.exchange { assign(exchange, to: connection) }
                return
            case .ready:
                return connection.exchange == nil ? watchIdle(connection) : exchangeBytes(connection)
            }
        }
    }

    /// Moves a connected (or tunnelled) connection on to TLS or straight to its request.
    /// `false` when the connection ended.
    private func secure(_ connection: HTTPConnection) -> Bool {
        guard connection.origin.secure else {
            connection.phase = .ready
            if let exchange = connection.exchange { assign(exchange, to: connection) }
            return false  // `assign` drove the connection already
        }
        guard let tls else {
            fail(connection, .tls("no TLS context"))
            return false
        }
        if case .failed(let reason) = connection.startTLS(tls) {
            fail(connection, .tls(reason))
            return false
        }
        return true
    }

    /// Reads the proxy's answer to CONNECT; `nil` while it is incomplete or when it failed.
    private func readTunnelReply(_ connection: HTTPConnection) -> HTTPResponseHead? {
        while true {
            switch readSome(connection) {
            case .wait: return nil
            case .closed:
                fail(connection, .proxy("the proxy \(connection.peer) closed the connection before answering CONNECT"))
                return nil
            case .failed(let reason):
                fail(connection, .proxy(reason))
                return nil
            case .bytes(let count):
                switch parse(connection, count) {
                case .success(let events):
                    for case .head(let head) in events { return head }
                case .failure(let error):
                    fail(connection, .proxy("the proxy \(connection.peer) sent a bad answer to CONNECT: \(error.reason)"))
                    return nil
                }
            }
        }
    }

    /// Feeds the first `count` bytes of the read buffer to the connection's parser.
    private func parse(_ connection: HTTPConnection, _ count: Int) -> Result<[HTTPResponseParser.Event], HTTPResponseParser.Malformed> {
        readBuffer.withUnsafeBytes { raw in
            Result { () throws(HTTPResponseParser.Malformed) in try connection.parser.feed(UnsafeRawBufferPointer(rebasing: raw[..<count])) }
        }
    }

    private func readSome(_ connection: HTTPConnection) -> HTTPConnection.ReadResult {
        readBuffer.withUnsafeMutableBytes { connection.read(into: $0) }
    }

    /// Sends the request and hands on what has arrived of the response.
    private func exchangeBytes(_ connection: HTTPConnection) {
        guard let exchange = connection.exchange else { return }
        switch connection.flush() {
        case .failed(let reason): return brokeOff(connection, exchange, reason)
        case .wait, .done: break
        }
        while connection.exchange === exchange {
            switch readSome(connection) {
            case .wait:
                exchange.releaseHead()
                return
            case .failed(let reason):
                return brokeOff(connection, exchange, reason)
            case .closed:
                if let end = connection.parser.connectionClosed(), end == .end {
                    connection.exchange = nil
                    discard(connection)
                    return finish(exchange, nil)
                }
                let state = connection.parser.hasHead ? "before the end of the response" : "before answering"
                return brokeOff(connection, exchange, "\(connection.origin) closed the connection \(state)")
            case .bytes(let count):
                let events: [HTTPResponseParser.Event]
                switch parse(connection, count) {
                case .success(let parsed): events = parsed
                case .failure(let error):
                    connection.exchange = nil
                    discard(connection)
                    return finish(exchange, .connection("\(connection.origin) sent a malformed response: \(error.reason)"))
                }
                for event in events {
                    switch event {
                    case .head(let head): exchange.received(head)
                    case .body(let bytes): exchange.received(bytes)
                    case .end:
                        connection.exchange = nil
                        connection.served += 1
                        finish(exchange, nil)
                        if connection.parser.keepAlive { release(connection) } else { discard(connection) }
                        return
                    }
                }
                exchange.releaseHead()
            }
        }
    }

    /// The connection broke while carrying `exchange`. A reused connection the server had
    /// closed while idle, before any byte of the answer, is not the request's fault: it is
    /// sent again once on a fresh connection, as browsers and curl do.
    private func brokeOff(_ connection: HTTPConnection, _ exchange: HTTPExchange, _ reason: String) {
        let stale = connection.served > 0 && !connection.parser.started && !exchange.retriedOnFreshConnection
        connection.exchange = nil
        discard(connection)
        if stale {
            exchange.retriedOnFreshConnection = true
            exchange.place = .queued
            return start(exchange, fresh: true)
        }
        finish(exchange, .connection(reason))
    }

    /// An idle pooled connection became readable: the server closed it (or sent something it
    /// should not have). Either way it is of no further use.
    private func watchIdle(_ connection: HTTPConnection) {
        switch readSome(connection) {
        case .wait: return
        case .bytes, .closed, .failed:
            pools[connection.origin]?.idle.removeAll { $0 === connection }
            discard(connection)
        }
    }

    private func connectFailed(_ connection: HTTPConnection, _ error: Errno) {
        guard let exchange = connection.exchange else { return discard(connection) }
        connection.exchange = nil
        let rest = connection.fallbacks
        let peer = connection.peer
        closeSocket(connection)
        if rest.isEmpty {
            connectionEnded(connection.origin, failing: exchange, .connection(Self.connectFailure(peer: peer, origin: connection.origin, error)))
        } else {
            connect(exchange, peer: peer, addresses: rest)  // the slot stays taken by the next attempt
        }
    }

    /// The connection failed before or while carrying its exchange.
    private func fail(_ connection: HTTPConnection, _ error: HTTPError) {
        let exchange = connection.exchange
        connection.exchange = nil
        discard(connection)
        if let exchange { finish(exchange, error) }
    }

    /// A connection finished a response and may carry another: to the next waiting request,
    /// else into the idle pool.
    private func release(_ connection: HTTPConnection) {
        let origin = connection.origin
        while let next = pools[origin]?.waiting.first {
            pools[origin]?.waiting.removeFirst()
            if running[ObjectIdentifier(next)] != nil { return assign(next, to: connection) }
        }
        pools[origin]?.idle.append(connection)
    }

    /// Closes `connection` and frees its slot in the pool.
    private func discard(_ connection: HTTPConnection) {
        guard connection.phase != .closed else { return }
        closeSocket(connection)
        connectionEnded(connection.origin, failing: nil, nil)
    }

    private func closeSocket(_ connection: HTTPConnection) {
        connections[connection.fd] = nil
        connection.close()
    }

    /// A connection slot of `origin` is free (its connection closed or never opened): fails
    /// `exchange` with `error` if given, then opens a connection for the next waiting request.
    private func connectionEnded(_ origin: HTTPOrigin, failing exchange: HTTPExchange?, _ error: HTTPError?) {
        pools[origin]?.open -= 1
        if let exchange, let error { finish(exchange, error) }
        while let next = pools[origin]?.waiting.first {
            pools[origin]?.waiting.removeFirst()
            if running[ObjectIdentifier(next)] != nil { return start(next, fresh: true) }
        }
    }
}
