/// The benchmark suites `trellis bench` knows, in the order it runs them.
package enum BenchSuites {
    /// Every suite, in running order. A new suite adds its line here.
    package static let all: [any BenchSuite.Type] = [
        DOTBench.self,
        EngineBench.self,
        PipelineBench.self,
        SessionBench.self,
        StoreBench.self,
        SwiftPluginBench.self,
        PluginBench.self,
        AdapterBench.self,
    ]

    /// The suite called `name`, or `nil`.
    package static func named(_ name: String) -> (any BenchSuite.Type)? {
        all.first { $0.name == name }
    }
}
