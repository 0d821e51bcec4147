import Foundation
import Testing
import TrellisEngine
@testable import TrellisSession

/// The `interrupt` policy decides when a message arrives, even before the running turn has
/// reached its run.
@Suite(.timeLimit(.minutes(1))) struct InterruptArrivalTests {
    @Test("pipelined messages interrupt the turn that was running when they arrived")
    func pipelinedMessagesInterrupt() async throws {
        let session = try Support.session(latency: .milliseconds(300), policy: .interrupt)
        // Tickets fix the arrival order at once, as the JSON-RPC server does for pipelined lines.
        let tickets = (0..<5).map { _ in session.admit() }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, ticket) in tickets.enumerated() {
                group.addTask {
                    do {
                        _ = try await session.send("message \(index)", ticket: ticket)
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var results: [Int: Bool] = [:]
            for await (index, succeeded) in group { results[index] = succeeded }
            return results
        }
        #expect(outcomes[0] == false, "the first turn was running when the others arrived")
        #expect(outcomes[4] == true, "the last message's turn has nobody after it")
        #expect(session.phase == .idle)
    }
}
