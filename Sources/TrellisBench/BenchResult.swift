import Foundation

/// One reported figure, with the target it is held against when there is one.
package struct BenchResult: Sendable {
    /// What was measured.
    package var name: String
    /// The figure.
    package var value: Double
    /// Its unit (`us`, `ms`, `turns/s`, `x`, `bytes`).
    package var unit: String
    /// Further figures (p99, min, max, reference, ...), already formatted.
    package var detail: String = ""
    /// The target, as text (`<= 1 us`), or empty.
    package var target: String = ""
    /// Whether the target is met; `nil` when there is no target.
    package var meetsTarget: Bool? = nil

    /// The figure for people: name, value, unit, details and whether the target is met.
    package var humanLine: String {
        var line = "  \(name): \(Self.format(value)) \(unit)"
        if !detail.isEmpty { line += "  (\(detail))" }
        if !target.isEmpty { line += "  target \(target): \(meetsTarget == true ? "met" : "NOT met")" }
        return line
    }

    /// The figure as one JSON object on a line, tagged with its `suite`.
    package func jsonLine(suite: String) -> String {
        var fields = ["\"suite\":\"\(suite)\"", "\"name\":\"\(name)\"", "\"value\":\(value)", "\"unit\":\"\(unit)\""]
        if !detail.isEmpty { fields.append("\"detail\":\"\(detail)\"") }
        if let meetsTarget { fields.append("\"target\":\"\(target)\",\"met\":\(meetsTarget)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `value` with as many decimals as its size warrants (none from 100 up, three below 10).
    static func format(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }
}
