import Foundation
import TrellisEngine

/// The table `trellis run` prints at the end: node, outcome and duration per execution.
enum RunReport {
    /// The table for `result`.
    static func table(_ result: RunResult) -> String {
        let rows = result.nodeTimings.map { ($0.nodeID, $0.status.rawValue, DurationText.describe($0.duration)) }
        let header = ("node", "outcome", "duration")
        let nodeWidth = max(header.0.count, rows.map { $0.0.count }.max() ?? 0)
        let outcomeWidth = max(header.1.count, rows.map { $0.1.count }.max() ?? 0)
        func line(_ row: (String, String, String)) -> String {
            row.0.padding(toLength: nodeWidth, withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: outcomeWidth, withPad: " ", startingAt: 0) + "  " + row.2
        }
        var lines = [line(header), String(repeating: "-", count: nodeWidth + outcomeWidth + 14)]
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}

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
