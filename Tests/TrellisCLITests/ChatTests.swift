import Foundation
import Testing

/// `trellis chat` reading from a pipe.
@Suite struct ChatTests {
    private func chat(_ arguments: [String], input: String, in directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ServeProcess.executable())
        process.arguments = ["chat"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = Pipe()
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func answersOneMessagePerInputLineWithNoFlags() throws {
        let result = try chat([], input: "hello\n/help\nhow are you?\n", in: ServeProcess.temporaryDirectory())
        #expect(result.status == 0)
        #expect(result.output == "Response 1\nResponse 2\nResponse 3\n")
    }

    @Test func aStoredConversationSurvivesARestart() throws {
        let directory = ServeProcess.temporaryDirectory()
        let arguments = ["--store", directory + "/chat.sqlite", "--session", "mine"]
        #expect(try chat(arguments, input: "one\ntwo\n", in: directory).output == "Response 1\nResponse 2\n")
        #expect(try chat(arguments, input: "three\n", in: directory).output == "Response 3\n")
    }

    @Test func aBadTypeIsAUsageError() throws {
        #expect(try chat(["--type", "robot"], input: "", in: ServeProcess.temporaryDirectory()).status == 2)
    }
}
