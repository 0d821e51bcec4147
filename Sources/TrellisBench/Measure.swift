/// Timing helpers shared by the suites.
enum Measure {
    /// Runs `body` `count` times and returns each duration in microseconds.
    static func samples(_ count: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let clock = ContinuousClock()
        for _ in 0..<count {
            let start = clock.now
            try await body()
            samples.append(microseconds(clock.now - start))
        }
        return samples
    }

    /// A duration in microseconds.
    static func microseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1e6 + Double(parts.attoseconds) / 1e12
    }

    /// The `p`-th percentile (0...100) of `values`, nearest-rank.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The median of `values`.
    static func median(_ values: [Double]) -> Double { percentile(values, 50) }
}
