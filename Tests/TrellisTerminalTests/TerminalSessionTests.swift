import TrellisCore
import Foundation
import Glibc
import Testing
import TrellisTestSupport
@testable import TrellisTerminal

/// The session end to end: on a pipe, and on a real pseudo-terminal with keys typed into it.
/// Serialized because raw mode's exit-time restore is process-wide.
@Suite(.serialized) struct TerminalSessionTests {
    @Test(.timeLimit(.minutes(1)))
    func pipeGivesPlainLines() async throws {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        #expect(closeOnExecPipe(&input) == 0)
        #expect(closeOnExecPipe(&output) == 0)
        defer { [input[0], output[0], output[1]].forEach { close($0) } }
        let text = "/help\nsecond\r\n\n漢字 🙂\nlast without newline"
        _ = text.utf8CString.withUnsafeBufferPointer { write(input[1], $0.baseAddress, $0.count - 1) }
        close(input[1])
        let session = TerminalSession(input: input[0], output: output[1])
        #expect(!session.isInteractive)
        var results: [LineResult] = []
        for _ in 0..<6 { results.append(await session.readLine(prompt: "> ")) }
        #expect(results == [.line("/help"), .line("second"), .line(""), .line("漢字 🙂"), .line("last without newline"), .endOfInput])
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func typedLineWithEditingKeys() async throws {
        let pty = try PseudoTerminal()
        // A long escape timeout: the test splits a sequence on purpose, and a loaded machine
        // must not turn the pause into a lone Escape.
        let session = TerminalSession(input: pty.terminal, output: pty.terminal, escapeTimeout: .seconds(30))
        #expect(session.isInteractive)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("helo")
        pty.type("\u{1B}[")          // Left, split across two writes
        try await Task.sleep(for: .milliseconds(20))
        pty.type("Dl\u{1B}[F!")      // …then "l", End, "!"
        pty.type("漢字")
        pty.type([0x7F])             // Backspace removes 字 whole
        pty.type(Array("é".utf8).prefix(1) + [])
        try await Task.sleep(for: .milliseconds(20))
        pty.type(Array(Array("é".utf8).dropFirst()))  // é split mid-character
        pty.type("\r")
        #expect(await read.value == .line("hello!漢é"))
        #expect(pty.output.contains("> hello!漢é"))
        #expect(session.history.entries == ["hello!漢é"])
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func controlKeysInterruptAndEnd() async throws {
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let first = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("abandoned\u{03}")
        #expect(await first.value == .interrupted)
        #expect(await pty.waitForOutput(containing: "^C"))
        pty.clearOutput()
        let second = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("\u{04}")
        #expect(await second.value == .endOfInput)
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func typeaheadAndInterruptsBetweenPrompts() async throws {
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let interrupts = LockedValue(0)
        session.onInterrupt { interrupts.withLock { $0 += 1 } }
        let first = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("one\r")
        #expect(await first.value == .line("one"))
        // No prompt now (a turn would be running): Ctrl-C goes to the handler, keys wait.
        pty.type("\u{03}two\r")
        let deadline = ContinuousClock.now + .seconds(10)
        while interrupts.withLock({ $0 }) == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(interrupts.withLock { $0 } == 1)
        #expect(await session.readLine(prompt: "> ") == .line("two"))
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func printLineRedrawsThePrompt() async throws {
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("draft")
        #expect(await pty.waitForOutput(containing: "draft"))
        pty.clearOutput()
        session.printLine("[reload] generation 2")
        #expect(await pty.waitForOutput(containing: "> draft"))
        let shown = pty.output
        let notice = try #require(shown.range(of: "[reload] generation 2"))
        #expect(shown[notice.upperBound...].contains("> draft"), "the prompt comes back below the notice")
        pty.type("\r")
        #expect(await read.value == .line("draft"))
        session.write("streamed ")
        session.write("answer")
        session.finishLine()
        #expect(await pty.waitForOutput(containing: "streamed answer"))
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func historyPersistsAcrossSessions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-terminal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        do {
            let pty = try PseudoTerminal()
            let session = TerminalSession(input: pty.terminal, output: pty.terminal, historyPath: path)
            let read = Task { await session.readLine(prompt: "> ") }
            #expect(await pty.waitForOutput(containing: "> "))
            pty.type("remember me\r")
            #expect(await read.value == .line("remember me"))
            let secret = Task { await session.readLine(prompt: "> ") }
            pty.type(" not me\r")
            #expect(await secret.value == .line(" not me"))
            session.close()
        }
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal, historyPath: path)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("\u{1B}[A\r")
        #expect(await read.value == .line("remember me"))
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func closeRestoresTheTerminal() async throws {
        let pty = try PseudoTerminal()
        var before = termios()
        tcgetattr(pty.terminal, &before)
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        var raw = termios()
        tcgetattr(pty.terminal, &raw)
        #expect(raw.c_lflag & tcflag_t(ICANON | ECHO) == 0)
        session.close()
        #expect(await read.value == .endOfInput)
        var after = termios()
        tcgetattr(pty.terminal, &after)
        #expect(after.c_lflag == before.c_lflag)
        #expect(after.c_iflag == before.c_iflag)
        #expect(await session.readLine(prompt: "> ") == .endOfInput)
    }

    @Test(.timeLimit(.minutes(1)))
    func controlZRestoresTheTerminalAroundTheStop() async throws {
        // Ignored here, so the test process is not actually stopped: raise returns at once.
        let previous = signal(SIGTSTP, SIG_IGN)
        defer { signal(SIGTSTP, previous) }
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        pty.type("kept")
        #expect(await pty.waitForOutput(containing: "kept"))
        pty.clearOutput()
        pty.type("\u{1A}")
        // Paste mode off then on again around the stop, and the prompt drawn again.
        #expect(await pty.waitForOutput(containing: "\u{1B}[?2004h"))
        #expect(await pty.waitForOutput(containing: "> kept"))
        #expect(pty.output.contains("\u{1B}[?2004l"))
        var raw = termios()
        tcgetattr(pty.terminal, &raw)
        #expect(raw.c_lflag & tcflag_t(ICANON | ECHO) == 0, "raw again after the stop")
        pty.type("!\r")
        #expect(await read.value == .line("kept!"))
        session.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func signalSafeRestoreWorksWithoutTheSession() async throws {
        let pty = try PseudoTerminal()
        var before = termios()
        tcgetattr(pty.terminal, &before)
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        // What a SIGTERM handler or the atexit hook does.
        TerminalSession.restoreTerminal()
        var after = termios()
        tcgetattr(pty.terminal, &after)
        #expect(after.c_lflag == before.c_lflag)
        #expect(await pty.waitForOutput(containing: "\u{1B}[?2004l"))
        TerminalSession.restoreTerminal()  // idempotent
        session.close()
        #expect(await read.value == .endOfInput)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingTheReadInterruptsIt() async throws {
        let pty = try PseudoTerminal()
        let session = TerminalSession(input: pty.terminal, output: pty.terminal)
        let read = Task { await session.readLine(prompt: "> ") }
        #expect(await pty.waitForOutput(containing: "> "))
        read.cancel()
        #expect(await read.value == .interrupted)
        pty.type("next\r")
        #expect(await session.readLine(prompt: "> ") == .line("next"))
        session.close()
    }
}
