import Foundation
import TrellisCore

/// One reported figure, with the targets it (or a figure beside it, such as its p99) is held against.
package struct BenchResult: Sendable {
    /// What was measured; stable from run to run, so that `--json` lines can be compared.
    package var name: String
    /// The figure.
    package var value: Double
    /// Its unit (`us`, `ms`, `turns/s`, `x`, `bytes`).
    package var unit: String
    /// Further figures (p99, min, max, reference, ...), already formatted.
    package var detail: String = ""
    /// Every target of this result, in the order they are printed.
    package var targets: [BenchTarget] = []

    /// A result; `target` and `meetsTarget` give a target on `value` as text and verdict, `targets`
    /// any others (on `value` or on figures beside it).
    package init(name: String, value: Double, unit: String, detail: String = "", target: String = "",
                 meetsTarget: Bool? = nil, targets: [BenchTarget] = []) {
        self.name = name
        self.value = value
        self.unit = unit
        self.detail = detail
        if let meetsTarget { self.targets.append(BenchTarget(measured: value, text: target, met: meetsTarget)) }
        self.targets += targets
    }

    /// The text of the first target on `value` itself, or empty; setting it adds that target
    /// (not met until `meetsTarget` says so) or changes its text.
    package var target: String {
        get { valueTarget.map { targets[$0].text } ?? "" }
        set {
            if let index = valueTarget { targets[index].text = newValue } else {
                targets.append(BenchTarget(text: newValue, met: false))
            }
        }
    }

    /// Whether the first target on `value` itself is met; `nil` when there is none.
    package var meetsTarget: Bool? {
        get { valueTarget.map { targets[$0].met } }
        set {
            if let index = valueTarget, newValue == nil { targets.remove(at: index) }
            guard let newValue else { return }
            if let index = valueTarget { targets[index].met = newValue } else {
                targets.append(BenchTarget(text: "", met: newValue))
            }
        }
    }

    /// Whether every target is met; `nil` when there is none.
    package var meetsAllTargets: Bool? {
        targets.isEmpty ? nil : targets.allSatisfy(\.met)
    }

    private var valueTarget: Int? { targets.firstIndex { $0.figure == nil } }

    /// The figure for people: name, value, unit, details, then each target and whether it is met
    /// (`target avg <= 5 us: MISSED (avg 16.3)`).
    package var humanLine: String {
        var line = "  \(name): \(Self.format(value)) \(unit)"
        if !detail.isEmpty { line += "  (\(detail))" }
        if !targets.isEmpty { line += "  target " + targets.map(\.humanText).joined(separator: ", ") }
        return line
    }

    /// The figure as one JSON object on a line, tagged with its `suite`. With targets it carries
    /// `target` (all of them as one text), `met` (all met) and `targets` (each with its figure,
    /// bound, measured value and verdict).
    package func jsonLine(suite: String) -> String {
        var fields = ["\"suite\":\(JSONText.quoted(suite))", "\"name\":\(JSONText.quoted(name))",
                      "\"value\":\(Self.jsonNumber(value))", "\"unit\":\(JSONText.quoted(unit))"]
        if !detail.isEmpty { fields.append("\"detail\":\(JSONText.quoted(detail))") }
        if let met = meetsAllTargets {
            let text = targets.map { ($0.figure.map { "\($0) " } ?? "") + $0.text }.joined(separator: ", ")
            fields.append("\"target\":\(JSONText.quoted(text)),\"met\":\(met)")
            fields.append("\"targets\":[" + targets.map(\.jsonObject).joined(separator: ",") + "]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `value` with as many decimals as its size warrants (none from 100 up, three below 10).
    static func format(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.3f", value)
    }

    /// `value` as a JSON number; `null` for NaN and infinities, which JSON cannot carry.
    static func jsonNumber(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }
}
