import Foundation
import TrellisCore
import Glibc
import Synchronization

/// Asks a person at a terminal: prints the question and its numbered choices (with keys) to
/// the output (standard error by default, so standard output stays clean for `--json`), and
/// reads a line from the input (standard input by default).
///
/// The answer may be a number, a key, a label (with or without its key) or a target id
/// (`HumanQuestion.choice(matching:)`); an empty line takes the default choice when there is
/// one. Anything else is explained and asked again. When the question's timeout passes the
/// answer is `.timedOut`; when the input ends first, `ask` throws `ConsoleInterviewerError`.
///
/// Reading happens on a dedicated thread (never on the cooperative pool), polling so that
/// task cancellation ends the question promptly. Questions from concurrent gates are asked
/// one after another, never interleaved.
public final class ConsoleInterviewer: Interviewer, Sendable {
    private let input: Int32
    private let output: Int32
    private let console: Mutex<PollingLineBuffer>

    /// Creates an interviewer reading `input` and writing `output` (file descriptors, which
    /// stay open and owned by the caller).
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDERR_FILENO) {
        self.input = input
        self.output = output
        self.console = Mutex(PollingLineBuffer())
    }

    /// Asks `question` at the console (see the type's summary).
    public func ask(_ question: HumanQuestion) async throws -> HumanAnswer {
        try Task.checkCancellation()
        let flag = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HumanAnswer, any Error>) in
                let thread = Thread {
                    nameCurrentThread("trellis-console")
                    continuation.resume(with: Result { try self.converse(question, stop: flag) })
                }
                thread.start()
            }
        } onCancel: {
            flag.raise()
        }
    }

    /// The whole exchange for one question, on the reading thread, holding the console.
    private func converse(_ question: HumanQuestion, stop: StopFlag) throws -> HumanAnswer {
        let clock = ContinuousClock()
        let deadline = question.timeout.map { clock.now.advanced(by: $0) }
        return try console.withLock { reader throws -> HumanAnswer in
            // Another question may have held the console until now; a question cancelled meanwhile is not shown.
            if stop.isRaised { throw CancellationError() }
            write(Self.render(question))
            while true {
                write(Self.selectPrompt(for: question))
                switch reader.readLine(from: input, until: deadline, stop: stop) {
                case .cancelled:
                    write("\n")
                    throw CancellationError()
                case .timedOut:
                    write("\n(no answer in time)\n")
                    return .timedOut
                case .endOfInput:
                    write("\n")
                    throw ConsoleInterviewerError(nodeID: question.nodeID)
                case .line(let line):
                    var answer = line.trimmingSpacesAndNewlines()
                    if answer.isEmpty, let defaultChoice = question.defaultChoice { answer = defaultChoice }
                    if answer.isEmpty { continue }
                    switch question.choice(matching: answer) {
                    case .matched(let choice):
                        return .chose(choice)
                    case .none:
                        write("'\(answer)' is none of the choices; answer with a number, a key or a label.\n")
                    case .ambiguous(let several):
                        write("'\(answer)' matches \(several.map(\.label).joined(separator: " and ")); answer with a number.\n")
                    }
                }
            }
        }
    }

    /// The question and its numbered choices.
    static func render(_ question: HumanQuestion) -> String {
        var text = "\n[?] " + question.prompt.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ") + "\n"
        for (index, choice) in question.choices.enumerated() {
            let showsKey = choice.key.map { HumanGateHandler.explicitAcceleratorKey(in: choice.label) == nil && !$0.isEmpty } ?? false
            text += "  \(index + 1). \(choice.label)" + (showsKey ? " [\(choice.key!)]" : "") + "\n"
        }
        return text
    }

    /// The line that asks for the answer, naming the default and the time limit.
    static func selectPrompt(for question: HumanQuestion) -> String {
        var notes: [String] = []
        if let defaultChoice = question.defaultChoice { notes.append("Enter for \(defaultChoice)") }
        if let timeout = question.timeout { notes.append("\(timeout.components.seconds)s to answer") }
        return "Choose (number, key or label)" + (notes.isEmpty ? "" : " [\(notes.joined(separator: ", "))]") + ": "
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// The console's input ended before a gate was answered.
public struct ConsoleInterviewerError: Error, Sendable, CustomStringConvertible {
    /// The gate that asked.
    public var nodeID: String
    /// A sentence for failure reasons.
    public var description: String {
        "standard input closed before human gate '\(nodeID)' was answered: run on a terminal, or use --interviewer auto or a file of scripted answers"
    }
}

/// Set from a cancellation handler, read by the reading thread.
private final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// Reads lines from a descriptor, keeping what follows a line for the next question.
private struct PollingLineBuffer: Sendable {
    enum Event {
        case line(String)
        case endOfInput
        case timedOut
        case cancelled
    }

    private var pending: [UInt8] = []
    private var ended = false

    /// The next line, polling every 50 ms for the stop flag and the deadline.
    mutating func readLine(from descriptor: Int32, until deadline: ContinuousClock.Instant?, stop: StopFlag) -> Event {
        let clock = ContinuousClock()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if stop.isRaised { return .cancelled }
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return .line(line)
            }
            if ended {
                guard !pending.isEmpty else { return .endOfInput }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return .line(line)
            }
            if let deadline, clock.now >= deadline { return .timedOut }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                pending.append(contentsOf: chunk[0..<count])
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                ended = true
            }
        }
    }
}
