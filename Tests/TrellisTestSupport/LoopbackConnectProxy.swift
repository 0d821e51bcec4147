import Foundation
import Glibc
import Synchronization

/// An HTTP `CONNECT` proxy on 127.0.0.1 for tests: it answers each `CONNECT host:port` with
/// `200` and relays bytes both ways between the client and `127.0.0.1:port` (whatever the
/// host; tests name loopback servers), or refuses every tunnel with `refusal` as the status.
/// Every connection gets its own thread.
public final class LoopbackConnectProxy: Sendable {
    /// The port it listens on.
    public let port: Int
    private let listener: LoopbackListener
    private let refusal: Int?
    private let log = Mutex<[String]>([])

    /// Starts listening; with `refusal`, every CONNECT is answered with that status.
    public init(refusal: Int? = nil) throws {
        self.refusal = refusal
        listener = try LoopbackListener()
        port = listener.port
        listener.acceptEach { [self] client, _ in tunnel(client) }
    }

    /// `http://127.0.0.1:PORT`, the value for `http_proxy`/`https_proxy`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The `host:port` of every CONNECT received, in order.
    public var tunnels: [String] { log.withLock { $0 } }

    /// Stops accepting connections.
    public func stop() { listener.stop() }

    private func tunnel(_ client: Int32) {
        defer { close(client) }
        var head: [UInt8] = []
        var byte: UInt8 = 0
        // Byte by byte up to the blank line: nothing of the tunnelled bytes is read here.
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
            guard recv(client, &byte, 1, 0) == 1 else { return }
            head.append(byte)
        }
        let requestLine = String(decoding: head, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
              let port = UInt16(parts[1][parts[1].index(after: colon)...]) else {
            _ = send(client, "HTTP/1.1 400 Bad Request\r\n\r\n", 28, Int32(MSG_NOSIGNAL))
            return
        }
        log.withLock { $0.append(String(parts[1])) }
        if let refusal {
            let answer = "HTTP/1.1 \(refusal) Refused\r\nContent-Length: 0\r\n\r\n"
            _ = send(client, answer, answer.utf8.count, Int32(MSG_NOSIGNAL))
            return
        }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let answer = connected == 0 ? "HTTP/1.1 200 Connection established\r\n\r\n" : "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
        guard send(client, answer, answer.utf8.count, Int32(MSG_NOSIGNAL)) > 0, connected == 0 else { return }
        relay(client, upstream)
    }

    /// Copies bytes both ways until either side closes.
    private func relay(_ first: Int32, _ second: Int32) {
        var descriptors = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while poll(&descriptors, 2, 60_000) > 0 {
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                let count = recv(descriptor.fd, &buffer, buffer.count, 0)
                guard count > 0 else { return }
                let other = descriptors[1 - index].fd
                var offset = 0
                while offset < count {
                    let written = buffer.withUnsafeBytes { send(other, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
