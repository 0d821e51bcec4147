import Synchronization
import TrellisPluginKit

#if canImport(Glibc)
import Glibc
#endif

/// The simulated latency shared by the mock adapters.
enum MockLatency {
    /// The environment variable holding the LLM latency in milliseconds.
    static let environmentVariable = "TRELLIS_MOCK_LATENCY_MS"

    private static let milliseconds = Atomic<Int>(0)

    /// Reads the latency from the environment (called when the host loads the plugin).
    static func configure() {
        guard let raw = getenv(environmentVariable), let value = Int(String(cString: raw)), value >= 0 else { return }
        milliseconds.store(value, ordering: .relaxed)
    }

    /// The LLM latency for a request: its `mock_latency_ms` option, else the configured one.
    static func llm(options: [String: PluginValue]) -> Duration {
        .milliseconds(options["mock_latency_ms"]?.integer ?? milliseconds.load(ordering: .relaxed))
    }

    /// The memory latency: a tenth of the LLM latency.
    static var memory: Duration {
        .microseconds(milliseconds.load(ordering: .relaxed) * 100)
    }
}
