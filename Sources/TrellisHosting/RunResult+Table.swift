import Foundation
import TrellisEngine

extension RunResult {
    /// The table `trellis run` prints at the end: node, outcome and duration per execution.
    public var timingTable: String {
        let rows = nodeTimings.map { ($0.nodeID, $0.status.rawValue, DurationText.describe($0.duration)) }
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
