import Foundation
import Testing
import TrellisTestSupport

/// `trellis bench session --quick --json` runs every session benchmark end to end and prints
/// one JSON object a line, each of issue 13's figures carrying its target and whether it was
/// met. How fast is for the release bench, not for this test: no verdict is asserted. The
/// child runs for 10-60 s, so it is waited for off the cooperative pool.
@Suite(.timeLimit(.minutes(5))) struct BenchSessionTests {
    @Test func theQuickSessionBenchPrintsEachFigureWithItsTargets() async throws {
        let directory = try TemporaryDirectory.make("bench-session")
        let environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasSuffix("_API_KEY")
        }
        let result = try await ChildProcess.runOffThePool(try BuiltProducts.trellis(), ["bench", "session", "--quick", "--json"],
                                          in: directory, environment: environment, timeout: .seconds(280))
        #expect(result.status == 0, "\(result.errors)")
        var figures: [String: [String: Any]] = [:]
        for line in result.output.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["suite"] as? String == "session")
            figures[try #require(object["name"] as? String)] = object
        }

        // Each of issue 13's figures, by its stable name, with the targets it is held against.
        let expected: [(name: String, targets: [(figure: String, target: String)])] = [
            ("1 turn overhead p50", [("avg", "<= 5 us"), ("p99", "<= 25 us")]),
            ("2 history growth over 400 turns last/first", [("value", "<= 1.1 x")]),
            ("3 throughput 50 sessions", [("value", ">= 300000 turns/s")]),
            ("4 parallelism 10 sessions x 5 turns, lat 50 ms", [("value", ">= 9.9 x")]),
            ("5 heartbeat interleaving avg turn, 11 ms simulated", [("value", "<= 11.22 ms"), ("value", "all 20 turns done, phase idle")]),
            ("7 parallelism 1000 sessions x 5 turns, lat 50 ms", [("value", ">= 950 x")]),
            ("9 memory per idle session (empty)", [("value", "<= 2000 bytes")]),
            ("9 memory per idle session (400 messages)", [("value", "<= 27000 bytes")]),
            ("10 reload: file change to new generation serving", [("value", "<= 20 ms")]),
            ("11 durable throughput 50 sessions, batched / no store", [("value", ">= 0.8 x")]),
        ]
        for (name, targets) in expected {
            let figure = try #require(figures[name], "no figure '\(name)' in \(figures.keys.sorted())")
            let value = try #require(figure["value"] as? Double, "\(name): \(figure)")
            #expect(value.isFinite && value > 0, "\(name): \(value)")
            let listed = try #require(figure["targets"] as? [[String: Any]], "\(name): \(figure)")
            #expect(listed.map { "\($0["figure"] as? String ?? "?") \($0["target"] as? String ?? "?")" }
                    == targets.map { "\($0.figure) \($0.target)" }, "\(name)")
            let verdicts = listed.compactMap { $0["met"] as? Bool }
            #expect(verdicts.count == targets.count, "\(name): every target says whether it was met")
            #expect(figure["met"] as? Bool == verdicts.allSatisfy { $0 }, "\(name): met is every target met")
            for target in listed where target["bound"] != nil {
                // A verdict agrees with the figure it names and the bound.
                let measured = try #require(target["measured"] as? Double, "\(name): \(target)")
                let bound = try #require(target["bound"] as? Double)
                let atMost = (target["target"] as? String ?? "").hasPrefix("<=")
                #expect(target["met"] as? Bool == (atMost ? measured <= bound : measured >= bound), "\(name): \(target)")
            }
        }
        // The turn overhead's targets are on its average and p99, not on the p50 it reports.
        let overhead = try #require(figures["1 turn overhead p50"]?["targets"] as? [[String: Any]])
        #expect(overhead.allSatisfy { ($0["measured"] as? Double ?? 0) > 0 })
    }
}
