import Dispatch
import Foundation
import Glibc
import TrellisCore

/// Host names to addresses with `getaddrinfo`, on one helper thread of its own so that a slow
/// DNS server never stalls the event loop. The thread starts with the first name to resolve
/// (numeric hosts never need it) and serves the names in the order they were asked.
final class HTTPResolver: Sendable {
    private struct Job {
        var host: String
        var port: Int
        var done: @Sendable (Result<[SocketAddress], HTTPError>) -> Void
    }
    private struct Queue {
        var jobs: [Job] = []
        var started = false
        var stopping = false
    }
    private let queue = LockedValue(Queue())
    private let signal = DispatchSemaphore(value: 0)

    /// Resolves `host`, then calls `done` on the helper thread.
    func resolve(_ host: String, port: Int, done: @escaping @Sendable (Result<[SocketAddress], HTTPError>) -> Void) {
        let start = queue.withLock { queue in
            queue.jobs.append(Job(host: host, port: port, done: done))
            defer { queue.started = true }
            return !queue.started
        }
        if start {
            Thread { [self] in serve() }.start()
        }
        signal.signal()
    }

    /// Lets the helper thread end once its queue is empty.
    func stop() {
        queue.withLock { $0.stopping = true }
        signal.signal()
    }

    private func serve() {
        nameCurrentThread("trellis-dns")
        while true {
            signal.wait()
            let job: Job? = queue.withLock { queue in queue.jobs.isEmpty ? nil : queue.jobs.removeFirst() }
            guard let job else {
                if queue.withLock({ $0.stopping && $0.jobs.isEmpty }) { return }
                continue
            }
            job.done(Self.lookUp(job.host, port: job.port))
        }
    }

    private static func lookUp(_ host: String, port: Int) -> Result<[SocketAddress], HTTPError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let reason = status == EAI_SYSTEM ? Errno(errno).description : String(cString: gai_strerror(status))
            return .failure(.connection("cannot resolve host '\(host)': \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            let info = current.pointee
            if let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 {
                addresses.append(SocketAddress(family: info.ai_family, pointer: address, length: Int(info.ai_addrlen)))
            }
            entry = info.ai_next
        }
        guard !addresses.isEmpty else { return .failure(.connection("cannot resolve host '\(host)': no IPv4 or IPv6 address")) }
        return .success(addresses)
    }
}
