/// A benchmark that could not run as designed (a missing tool or library, a run that failed):
/// the suite reports it instead of a figure that would measure the wrong thing.
struct BenchFailure: Error, CustomStringConvertible {
    /// What went wrong, phrased for the person running the bench.
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
