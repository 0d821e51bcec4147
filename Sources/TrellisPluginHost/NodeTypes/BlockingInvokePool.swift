import Dispatch
import Foundation
import TrellisCore

/// The bounded pool of threads that runs the invokes of `TRELLIS_NODE_BLOCKING` node types.
///
/// A blocking invoke on the cooperative pool (two threads on two cores) stalls every run in the
/// process; here it holds one of the pool's own threads, so it delays only other blocking
/// invokes, which queue (first come, first served) once every thread is busy. The threads start
/// with the first blocking invoke and live for the process, like the images they call into.
final class BlockingInvokePool: Sendable {
    /// The process's pool (see `threadCount`).
    static let shared = BlockingInvokePool(threadCount: 8)

    /// At most this many blocking invokes run at once (the header promises 8).
    let threadCount: Int
    private let state = LockedValue(State())
    // Counts queued jobs; the job itself passes through `state`'s lock, which is what orders
    // its memory for the thread that runs it.
    private let queued = DispatchSemaphore(value: 0)

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var started = false
    }

    init(threadCount: Int) {
        self.threadCount = threadCount
    }

    /// Runs `work` on one of the pool's threads and returns its result to the waiting task,
    /// which holds no thread meanwhile.
    func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            submit { continuation.resume(returning: work()) }
        }
    }

    /// Queues `job` for the next free thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLock { state -> Bool in
            state.jobs.append(job)
            defer { state.started = true }
            return !state.started
        }
        if start {
            for index in 0..<threadCount {
                let thread = Thread { [self] in
                    nameCurrentThread("trellis-block-\(index)")
                    serve()
                }
                thread.start()
            }
        }
        queued.signal()
    }

    private func serve() {
        while true {
            queued.wait()
            guard let job = state.withLock({ $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) else { continue }
            job()
        }
    }
}
