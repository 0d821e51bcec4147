import Foundation
import Testing
import TrellisTestSupport

/// `trellis chat` reading from a pipe.
@Suite(.timeLimit(.minutes(1))) struct ChatTests {
    private func chat(_ arguments: [String], input: String, in directory: String) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run(try BuiltProducts.trellis(), ["chat"] + arguments, in: directory, input: input)
        return (result.status, result.output)
    }

    @Test func answersOneMessagePerInputLineWithNoFlags() throws {
        let result = try chat([], input: "hello\n/help\nhow are you?\n", in: ServeProcess.temporaryDirectory())
        #expect(result.status == 0)
        #expect(result.output == "Response 1\nResponse 2\nResponse 3\n")
    }

    @Test func aStoredConversationSurvivesARestart() throws {
        let directory = try ServeProcess.temporaryDirectory()
        let arguments = ["--store", directory + "/chat.sqlite", "--session", "mine"]
        #expect(try chat(arguments, input: "one\ntwo\n", in: directory).output == "Response 1\nResponse 2\n")
        #expect(try chat(arguments, input: "three\n", in: directory).output == "Response 3\n")
    }

    @Test func aBadTypeIsAUsageError() throws {
        #expect(try chat(["--type", "robot"], input: "", in: ServeProcess.temporaryDirectory()).status == 2)
    }
}
