import Foundation
import Glibc
import Synchronization
import Testing
import TrellisTestSupport
@testable import TrellisEngine

@Suite("ConsoleInterviewer", .timeLimit(.minutes(1)))
struct ConsoleInterviewerTests {
    /// A console whose input and output are pipes the test controls.
    private final class PipeConsole: Sendable {
        let input: (read: Int32, write: Int32)
        let output: (read: Int32, write: Int32)
        /// Descriptors not closed yet, so none is closed twice (its number may belong to someone else by then).
        private let open = Mutex<Set<Int32>>([])

        init() throws {
            var inputPipe: [Int32] = [-1, -1]
            var outputPipe: [Int32] = [-1, -1]
            guard closeOnExecPipe(&inputPipe) == 0, closeOnExecPipe(&outputPipe) == 0 else { throw LeafTestSupport.SupportError(message: "pipe failed") }
            input = (inputPipe[0], inputPipe[1])
            output = (outputPipe[0], outputPipe[1])
            open.withLock { $0 = Set(inputPipe + outputPipe) }
        }

        private func closeOnce(_ descriptor: Int32) {
            if open.withLock({ $0.remove(descriptor) }) != nil { close(descriptor) }
        }

        var interviewer: ConsoleInterviewer { ConsoleInterviewer(input: input.read, output: output.write) }

        func type(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer { write(input.write, $0.baseAddress, $0.count - 1) }
        }

        func closeInput() { closeOnce(input.write) }

        /// Everything written to the output so far (the write end is closed first).
        func transcript() -> String {
            closeOnce(output.write)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(output.read, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                bytes.append(contentsOf: chunk[0..<count])
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        deinit {
            for descriptor in [input.read, input.write, output.read, output.write] { closeOnce(descriptor) }
        }
    }

    private let question = HumanQuestion(
        nodeID: "approve",
        prompt: "Release now?",
        choices: HumanGateHandler.choices(for: [
            OutgoingEdgeInfo(label: "[Y] Yes, release", target: "done"),
            OutgoingEdgeInfo(label: "Review again", target: "summarize"),
        ]),
        defaultChoice: "Y"
    )

    @Test("shows numbered choices, explains bad input and asks again")
    func reasksOnBadInput() async throws {
        let console = try PipeConsole()
        console.type("maybe\n2\n")
        let answer = try await console.interviewer.ask(question)
        #expect(answer == .chose(question.choices[1]))
        let transcript = console.transcript()
        #expect(transcript.contains("[?] Release now?"))
        #expect(transcript.contains("1. [Y] Yes, release"))
        #expect(transcript.contains("2. Review again [R]"))
        #expect(transcript.contains("'maybe' is none of the choices"))
    }

    @Test("an empty line takes the default choice; lines left over serve the next question")
    func defaultAndBuffering() async throws {
        let console = try PipeConsole()
        let interviewer = console.interviewer
        console.type("\nr\n")
        #expect(try await interviewer.ask(question) == .chose(question.choices[0]))
        #expect(try await interviewer.ask(question) == .chose(question.choices[1]))
    }

    @Test("closed input is an error naming the gate")
    func endOfInput() async throws {
        let console = try PipeConsole()
        console.closeInput()
        do {
            _ = try await console.interviewer.ask(question)
            Issue.record("expected an error")
        } catch let error as ConsoleInterviewerError {
            #expect(error.nodeID == "approve")
        }
    }

    @Test("the question's timeout answers .timedOut")
    func timesOut() async throws {
        let console = try PipeConsole()
        var timed = question
        timed.timeout = .milliseconds(100)
        #expect(try await console.interviewer.ask(timed) == .timedOut)
    }

    @Test("cancelling the task ends the question")
    func cancellation() async throws {
        let console = try PipeConsole()
        let interviewer = console.interviewer
        let question = self.question
        let task = Task { try await interviewer.ask(question) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }
}
