import Foundation
import Testing
@testable import TrellisEngine

@Suite("ScriptedInterviewer and AutoApproveInterviewer", .timeLimit(.minutes(1)))
struct ScriptedInterviewerTests {
    private func question(_ nodeID: String, defaultChoice: String? = nil) -> HumanQuestion {
        HumanQuestion(
            nodeID: nodeID,
            prompt: "Continue?",
            choices: HumanGateHandler.choices(for: [
                OutgoingEdgeInfo(label: "[Y] Yes", target: "next"),
                OutgoingEdgeInfo(label: "[N] No", target: "stop"),
            ]),
            defaultChoice: defaultChoice
        )
    }

    private func writeAnswers(_ text: String) throws -> String {
        let path = try LeafTestSupport.makeScratchDirectory() + "/answers.txt"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("answers come from a file: a gate's own answers first, then plain ones in order")
    func answersFromFile() async throws {
        let path = try writeAnswers("""
        # answers for the release pipeline

        review=N
        review=y
        stop
        *=2
        """)
        defer { LeafTestSupport.remove((path as NSString).deletingLastPathComponent) }
        let interviewer = try ScriptedInterviewer(contentsOfFile: path)
        #expect(interviewer.remainingAnswers == 4)
        #expect(try await interviewer.ask(question("review")) == .chose(HumanChoice(label: "[N] No", key: "N", target: "stop")))
        #expect(try await interviewer.ask(question("other")) == .chose(HumanChoice(label: "[N] No", key: "N", target: "stop")))
        #expect(try await interviewer.ask(question("review")) == .chose(HumanChoice(label: "[Y] Yes", key: "Y", target: "next")))
        #expect(try await interviewer.ask(question("review")) == .chose(HumanChoice(label: "[N] No", key: "N", target: "stop")))
        #expect(interviewer.remainingAnswers == 0)
    }

    @Test("running out of answers names the file, the gate and the line to add")
    func runningOut() async throws {
        let path = try writeAnswers("gate=Y\n")
        defer { LeafTestSupport.remove((path as NSString).deletingLastPathComponent) }
        let interviewer = try ScriptedInterviewer(contentsOfFile: path)
        _ = try await interviewer.ask(question("gate"))
        do {
            _ = try await interviewer.ask(question("gate"))
            Issue.record("expected the answers to run out")
        } catch let error as ScriptedInterviewerError {
            #expect(error.description.hasPrefix("\(path): no answer left for human gate 'gate'"))
            #expect(error.description.contains("gate=ANSWER"))
        }
    }

    @Test("an answer that names no choice is reported with its file and line")
    func unknownAnswer() async throws {
        let path = try writeAnswers("\n\ngate=maybe\n")
        defer { LeafTestSupport.remove((path as NSString).deletingLastPathComponent) }
        let interviewer = try ScriptedInterviewer(contentsOfFile: path)
        do {
            _ = try await interviewer.ask(question("gate"))
            Issue.record("expected an error")
        } catch let error as ScriptedInterviewerError {
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("\(path):3: answer 'maybe' names no choice of human gate 'gate'"))
        }
    }

    @Test("malformed lines are rejected when the file is read")
    func malformedLines() throws {
        #expect(throws: ScriptedInterviewerError(source: "f", line: 2, message: "missing answer after 'gate='")) {
            try ScriptedInterviewer(text: "Y\ngate=\n", source: "f")
        }
        #expect(throws: ScriptedInterviewerError.self) { try ScriptedInterviewer(text: "=Y", source: "f") }
        #expect(throws: ScriptedInterviewerError.self) { try ScriptedInterviewer(contentsOfFile: "/nonexistent/answers.txt") }
    }

    @Test("!timeout makes the visit time out")
    func timeoutAnswer() async throws {
        let interviewer = try ScriptedInterviewer(text: "!timeout")
        #expect(try await interviewer.ask(question("gate")) == .timedOut)
    }

    @Test("auto-approve takes the default choice when set, else the first choice")
    func autoApprove() async throws {
        let interviewer = AutoApproveInterviewer()
        #expect(try await interviewer.ask(question("g")) == .chose(HumanChoice(label: "[Y] Yes", key: "Y", target: "next")))
        #expect(try await interviewer.ask(question("g", defaultChoice: "N")) == .chose(HumanChoice(label: "[N] No", key: "N", target: "stop")))
        let empty = HumanQuestion(nodeID: "g", prompt: "?", choices: [])
        await #expect(throws: AutoApproveInterviewerError.self) { _ = try await interviewer.ask(empty) }
    }
}
