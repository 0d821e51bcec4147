import Dispatch
import TrellisEngine
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM while `trellis run` runs a pipeline. The first one asks for a graceful
/// stop (`onStop`: the run's task is cancelled, so no further node starts and the running
/// tool's process group gets SIGTERM, then SIGKILL after its grace); a second one forces:
/// every running tool's process group is killed and the process exits at once, leaving the
/// checkpoint of the last completed node.
struct RunStopSignals {
    /// The first signal received (`nil` while none has been) and how many have arrived.
    private let received: LockedValue<(signal: Int32?, count: Int)>
    private let sources: [any DispatchSourceSignal]

    /// Takes over SIGINT and SIGTERM until `remove()`; `resumeHint` is printed when a second signal forces the exit.
    init(resumeHint: String, onStop: @escaping @Sendable () -> Void) {
        let received = LockedValue<(signal: Int32?, count: Int)>((nil, 0))
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let count = received.withLock { state in
                    if state.signal == nil { state.signal = number }
                    state.count += 1
                    return state.count
                }
                let name = Self.name(of: number)
                guard count == 1 else {
                    Console.error("trellis run: second signal (\(name)): stopping now; running tool commands are killed, the checkpoint of the last completed node is kept")
                    ProcessRunner.killRunningGroups()
                    Console.error(resumeHint)
                    exit(Self.exitCode(for: received.withLock { $0.signal } ?? number))
                }
                Console.error("trellis run: \(name) received: stopping gracefully (no further node starts, the running one is stopped); send it again to stop at once")
                onStop()
            }
            source.resume()
            return source
        }
        self.received = received
    }

    /// The first signal that arrived, or `nil`.
    var receivedSignal: Int32? { received.withLock { $0.signal } }

    /// Gives SIGINT and SIGTERM back their default actions.
    func remove() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// The conventional exit status of a process stopped by `signal`: 128 + its number (130, 143).
    static func exitCode(for signal: Int32) -> Int32 { 128 + signal }

    /// `SIGINT`, `SIGTERM`.
    static func name(of signal: Int32) -> String { signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)" }
}
