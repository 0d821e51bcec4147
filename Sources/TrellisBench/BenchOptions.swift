/// Settings every suite honours.
package struct BenchOptions: Sendable {
    /// Fewer iterations: checks the benchmark runs, measures nothing worth reporting.
    package var quick: Bool

    /// Options for a full (`quick: false`) or smoke-test (`quick: true`) run.
    package init(quick: Bool) {
        self.quick = quick
    }
}
