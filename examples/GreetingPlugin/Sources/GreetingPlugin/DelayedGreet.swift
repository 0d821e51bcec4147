import TrellisPluginKit

/// `greeting.delayed_greet`: waits `delay_ms` milliseconds on the host's timer — the task is
/// suspended, no thread sleeps — then greets like `greeting.greet`. The host completes the
/// node when the greeting is done; a node timeout cancels the wait.
struct DelayedGreet: AsyncNodeHandler {
    static let attributes = Greet.attributes + [
        AttributeDeclaration("delay_ms", .integer, summary: "how long to wait first, in milliseconds (default 10)"),
    ]

    func handle(_ call: inout NodeCall) async throws -> NodeResult {
        let delay = call.integerAttribute("delay_ms") ?? 10
        guard delay >= 0 else { throw PluginError("node '\(call.nodeID)': delay_ms must not be negative, got \(delay)") }
        try await HostTimer.sleep(for: .milliseconds(delay))
        return try Greet().handle(&call)
    }
}
