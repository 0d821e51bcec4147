import Foundation
import TrellisEngine

/// Live progress on a terminal: a line when a node starts and when it ends, with the time since the run began.
final class ProgressPrinter: EventSink, @unchecked Sendable {
    private let began = ContinuousClock.now
    private let lock = NSLock()

    func emit(_ event: RunEvent) {
        let elapsed = "[" + DurationText.describe(ContinuousClock.now - began) + "]"
        let text: String?
        switch event.kind {
        case .nodeStarted:
            text = "\(elapsed) running \(event.nodeID ?? "?")"
        case .nodeCompleted, .nodeFailed:
            let status = event.fields["status"]?.stringValue ?? ""
            let took = event.duration.map { " in " + DurationText.describe($0) } ?? ""
            let reason = event.fields["reason"].map { ": " + $0.stringValue } ?? ""
            text = "\(elapsed) \(event.nodeID ?? "?") \(status)\(took)\(event.kind == .nodeFailed ? reason : "")"
        case .nodeRetrying:
            text = "\(elapsed) retrying \(event.nodeID ?? "?") (attempt \(event.fields["attempt"]?.stringValue ?? "?"))"
        case .loopRestarted:
            text = "\(elapsed) loop restart \(event.fields["count"]?.stringValue ?? "") at \(event.nodeID ?? "?")"
        case .goalGateRedirected:
            text = "\(elapsed) goal gate \(event.nodeID ?? "?") unsatisfied; back to \(event.fields["target"]?.stringValue ?? "?")"
        default:
            text = nil
        }
        guard let text else { return }
        lock.lock()
        Console.error(text)
        lock.unlock()
    }
}
