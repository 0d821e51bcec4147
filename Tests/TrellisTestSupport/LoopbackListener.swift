import Foundation
import Glibc

/// A listening socket on 127.0.0.1 (an ephemeral port) whose accept loop gives each
/// connection a thread of its own: what the loopback test servers and proxy share.
public struct LoopbackListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let fd: Int32

    /// Binds and listens.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTPServer.ServerError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw LoopbackHTTPServer.ServerError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
    }

    /// Starts the accept loop on a thread of its own: each connection goes to `handle`, with its
    /// number (from 0, in accept order), on a new thread that owns the descriptor.
    public func acceptEach(_ handle: @escaping @Sendable (_ connection: Int32, _ number: Int) -> Void) {
        let fd = fd
        Thread {
            var number = 0
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else {
                    if errno == EINTR { continue }
                    close(fd)
                    return
                }
                let current = number
                number += 1
                Thread { handle(connection, current) }.start()
            }
        }.start()
    }

    /// Stops accepting. Only the accept loop closes the listener: closing it here would free
    /// its descriptor number for another socket while the loop may still be about to call
    /// `accept` on that number.
    public func stop() { shutdown(fd, Int32(SHUT_RDWR)) }
}
