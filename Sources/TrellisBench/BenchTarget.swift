import Foundation
import TrellisCore

/// A target one figure of a `BenchResult` is held against (`<= 5 us`, `>= 300000 turns/s`), and
/// whether the run met it.
package struct BenchTarget: Sendable {
    /// The figure held against the target when it is not the result's own value (`avg`, `p99`);
    /// `nil` for the value.
    package var figure: String?
    /// The measured figure the target was checked against, when known.
    package var measured: Double?
    /// The target as text, without the figure's name (`<= 5 us`).
    package var text: String
    /// The numeric bound, when the target is one (`5` in `<= 5 us`).
    package var bound: Double?
    /// Whether the run met it.
    package var met: Bool

    /// A target given as text and a verdict the suite worked out itself (`0 failed turns`).
    package init(figure: String? = nil, measured: Double? = nil, text: String, bound: Double? = nil, met: Bool) {
        self.figure = figure
        self.measured = measured
        self.text = text
        self.bound = bound
        self.met = met
    }

    /// `measured <= bound unit`; a figure that could not be measured (NaN) misses it.
    package static func atMost(_ bound: Double, _ unit: String, measured: Double, figure: String? = nil) -> BenchTarget {
        BenchTarget(figure: figure, measured: measured, text: "<= \(boundText(bound)) \(unit)", bound: bound,
                    met: measured <= bound)
    }

    /// `measured >= bound unit`; a figure that could not be measured (NaN) misses it.
    package static func atLeast(_ bound: Double, _ unit: String, measured: Double, figure: String? = nil) -> BenchTarget {
        BenchTarget(figure: figure, measured: measured, text: ">= \(boundText(bound)) \(unit)", bound: bound,
                    met: measured >= bound)
    }

    /// A bound as written in the issue: `5`, `1.1`, `11.22`, `300000`, no trailing zeros.
    private static func boundText(_ bound: Double) -> String {
        String(format: "%g", bound)
    }

    /// For people: `avg <= 5 us: MISSED (avg 16.3)`, or `<= 20 ms: met` for the value itself.
    var humanText: String {
        var line = (figure.map { "\($0) " } ?? "") + text + ": " + (met ? "met" : "MISSED")
        if let figure, let measured { line += " (\(figure) \(BenchResult.format(measured)))" }
        return line
    }

    /// One JSON object: `figure` (`value` for the result's own), `target`, `bound`, `measured`, `met`.
    var jsonObject: String {
        var fields = ["\"figure\":\(JSONText.quoted(figure ?? "value"))", "\"target\":\(JSONText.quoted(text))"]
        if let bound { fields.append("\"bound\":\(BenchResult.jsonNumber(bound))") }
        if let measured { fields.append("\"measured\":\(BenchResult.jsonNumber(measured))") }
        fields.append("\"met\":\(met)")
        return "{" + fields.joined(separator: ",") + "}"
    }
}
