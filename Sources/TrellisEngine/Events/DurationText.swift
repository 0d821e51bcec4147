/// Short human spellings of durations for messages and tables (`250ms`, `1.5s`, `2m03s`).
public enum DurationText {
    /// `duration` as `123ms` below a second, `1.25s` below a minute, else `4m05s`.
    public static func describe(_ duration: Duration) -> String {
        let milliseconds = milliseconds(duration)
        if milliseconds < 1_000 {
            if milliseconds < 10, milliseconds != milliseconds.rounded() {
                return trimmed(milliseconds, digits: 2) + "ms"
            }
            return String(Int(milliseconds.rounded())) + "ms"
        }
        let seconds = milliseconds / 1_000
        if seconds < 60 { return trimmed(seconds, digits: 2) + "s" }
        let whole = Int(seconds.rounded())
        let remainder = whole % 60
        return "\(whole / 60)m" + (remainder < 10 ? "0" : "") + "\(remainder)s"
    }

    /// `duration` in milliseconds.
    public static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
    }

    private static func trimmed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
