import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

/// A session's own config cannot go past the server's settings.
@Suite(.timeLimit(.minutes(1))) struct ServerLimitsTests {
    /// A configuration with `config` applied as `session.create` applies it.
    private func configuration(_ config: [String: ContextValue]) throws -> SessionConfiguration {
        var configuration = SessionConfiguration()
        try configuration.applySettings(from: config)
        return configuration
    }

    @Test("--no-heartbeats holds whatever a session's config asks; intervals have a floor")
    func heartbeatsAreBoundedByTheServer() async throws {
        let off = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        defer { off.shutdown() }
        let eager = try await off.create(configuration(["heartbeat": true, "heartbeat_interval_ms": 1]))
        #expect(!eager.heartbeat.enabled)

        let on = try SessionManager(options: SessionManagerOptions(watchGraphs: false))
        defer { on.shutdown() }
        let fast = try await on.create(configuration(["heartbeat": true, "heartbeat_interval_ms": 1]))
        #expect(fast.heartbeat.enabled)
        #expect(fast.heartbeat.interval == .milliseconds(100))
        let quiet = try await on.create(configuration(["heartbeat": false]))
        #expect(!quiet.heartbeat.enabled)
    }

    @Test("a simulated latency above the server's limit is refused, naming the limit")
    func latencyIsBounded() async throws {
        let manager = try SessionManager(options: SessionManagerOptions(watchGraphs: false, heartbeats: .disabled))
        defer { manager.shutdown() }
        do {
            _ = try await manager.create(configuration(["llm_latency_ms": .integer(Int.max)]))
            Issue.record("the session should have been refused")
        } catch {
            #expect(String(describing: error).contains("llm_latency_ms 9223372036854775807 is above this server's limit of 60000 ms"), "\(error)")
        }
    }
}
