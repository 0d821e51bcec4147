import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cheapest possible client for the adapter overhead baseline: one blocking keep-alive
/// socket to the loopback server that writes a request's bytes and reads until the answer's
/// `Content-Length` is in. What it measures beyond the server's own time is the kernel's
/// loopback round trip and two wake-ups, which no HTTP client can avoid.
final class RawSocketHTTPClient {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else {
            if fd >= 0 { close(fd) }
            throw BenchFailure("raw client: cannot connect to 127.0.0.1:\(port), errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends `request` (a whole HTTP/1.1 request) and blocks until the whole answer is read.
    func exchange(_ request: [UInt8]) throws {
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw BenchFailure("raw client: send failed, errno \(errno)") }
            sent += count
        }
        var received: [UInt8] = []
        while true {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { throw BenchFailure("raw client: the server closed the connection") }
            received += buffer[0..<count]
            if let total = Self.answerLength(received), received.count >= total { return }
        }
    }

    /// Head plus `Content-Length`, once the head is in.
    private static func answerLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            let head = String(decoding: bytes[0...index], as: UTF8.self).lowercased()
            for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                return index + 1 + (Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0)
            }
            return index + 1
        }
        return nil
    }
}
