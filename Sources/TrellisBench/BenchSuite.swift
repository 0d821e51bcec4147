/// A group of related benchmarks (one per concern: dot, engine, plugins, sessions).
package protocol BenchSuite: Sendable {
    /// The suite name on the command line (`trellis bench NAME`).
    static var name: String { get }
    /// One line for help.
    static var summary: String { get }
    /// Runs the suite and returns its figures.
    static func run(_ options: BenchOptions) async throws -> [BenchResult]
}
