import Foundation

/// When a failed model request is tried again, and after how long.
///
/// The official SDKs' behaviour: 408, 409, 429, every 5xx and connection errors are retried;
/// 400, 401, 403, 404 and other 4xx fail at once with the provider's message. The wait is the
/// server's `retry-after-ms` or `Retry-After` (seconds or an HTTP date) when it sends one,
/// else exponential backoff from `initialDelay` to `maxDelay` with ±25 % jitter. Retrying
/// stops after `maxAttempts` attempts or when the next wait would pass `maxTotalTime`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1: never retry).
    public var maxAttempts: Int
    /// The first backoff wait.
    public var initialDelay: Duration
    /// The longest backoff wait (and the longest server-requested wait honoured).
    public var maxDelay: Duration
    /// The longest time from the first attempt to the start of the last.
    public var maxTotalTime: Duration

    /// The defaults: 3 attempts, 0.5 s doubling to at most 8 s, 60 s in all.
    public init(maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(500),
                maxDelay: Duration = .seconds(8), maxTotalTime: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxTotalTime = maxTotalTime
    }

    /// Whether an HTTP status is worth another attempt.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500...599).contains(status)
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1), honouring the server's
    /// `retry-after-ms` / `Retry-After` header when present.
    public func delay(afterAttempt attempt: Int, headers: [String: String], now: Date = Date()) -> Duration {
        if let requested = Self.serverRequestedDelay(headers, now: now) {
            return min(requested, maxDelay)
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let base = initialDelay * (1 << exponent)
        let capped = min(base, maxDelay)
        let jitter = Double.random(in: 0.75...1.25)
        return capped * jitter
    }

    /// The wait a response asks for, if any: `retry-after-ms` (milliseconds), else
    /// `Retry-After` as seconds or as an HTTP date. Header names are matched case-insensitively.
    public static func serverRequestedDelay(_ headers: [String: String], now: Date = Date()) -> Duration? {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value.trimmingCharacters(in: .whitespaces) }
        if let text = lowered["retry-after-ms"], let milliseconds = Double(text), milliseconds >= 0 {
            return .milliseconds(Int64(milliseconds.rounded()))
        }
        guard let text = lowered["retry-after"] else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
