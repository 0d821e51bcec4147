/// The delay between retry attempts: exponential with a cap, with optional jitter
/// (pipeline specification, retry policy presets).
public struct BackoffPolicy: Sendable, Equatable {
    /// The delay before the first retry, in milliseconds.
    public var initialDelayMilliseconds: Double
    /// The factor each further retry multiplies the delay by.
    public var factor: Double
    /// The largest delay, in milliseconds.
    public var maxDelayMilliseconds: Double
    /// Whether each delay is multiplied by a random factor in 0.5...1.5, so retries of many runs spread out.
    public var jitter: Bool
    /// The attempts the preset stands for, when chosen by name (`retry_policy=...`) without `max_retries`.
    public var presetAttempts: Int

    /// Creates a policy.
    public init(initialDelayMilliseconds: Double, factor: Double, maxDelayMilliseconds: Double = 60_000, jitter: Bool = true, presetAttempts: Int = 1) {
        self.initialDelayMilliseconds = initialDelayMilliseconds
        self.factor = factor
        self.maxDelayMilliseconds = maxDelayMilliseconds
        self.jitter = jitter
        self.presetAttempts = presetAttempts
    }

    /// No retries.
    public static let none = BackoffPolicy(initialDelayMilliseconds: 0, factor: 1, jitter: false, presetAttempts: 1)
    /// General purpose: 5 attempts, 200 ms doubling.
    public static let standard = BackoffPolicy(initialDelayMilliseconds: 200, factor: 2, presetAttempts: 5)
    /// Unreliable operations: 5 attempts, 500 ms doubling.
    public static let aggressive = BackoffPolicy(initialDelayMilliseconds: 500, factor: 2, presetAttempts: 5)
    /// A fixed 500 ms between 3 attempts.
    public static let linear = BackoffPolicy(initialDelayMilliseconds: 500, factor: 1, presetAttempts: 3)
    /// Long-running operations: 3 attempts, 2 s tripling.
    public static let patient = BackoffPolicy(initialDelayMilliseconds: 2_000, factor: 3, presetAttempts: 3)

    /// The presets by the name `retry_policy` uses.
    public static let presets: [String: BackoffPolicy] = [
        "none": .none, "standard": .standard, "aggressive": .aggressive, "linear": .linear, "patient": .patient,
    ]

    /// The delay before retry number `retry` (1 for the first retry), jitter included.
    public func delay(forRetry retry: Int) -> Duration {
        var milliseconds = initialDelayMilliseconds * pow(factor, Double(max(retry, 1) - 1))
        milliseconds = min(milliseconds, maxDelayMilliseconds)
        if jitter { milliseconds *= Double.random(in: 0.5...1.5) }
        return .microseconds(Int64((milliseconds * 1_000).rounded()))
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 { result *= base; remaining -= 1 }
        return result
    }
}
