import Foundation
import Synchronization

/// Answers human gates from a script of answers, for tests and CI.
///
/// The script has one answer per line:
///
///     # Lines starting with # and blank lines are ignored (there are no end-of-line comments).
///     # For gate `approve`; a gate's own answers are used in order, one per visit:
///     approve=Y
///     # This visit of `review` times out, so the gate takes its human.default_choice:
///     review=!timeout
///     # A plain answer, for any gate that has no answer of its own left:
///     N
///     # `*=` marks a plain answer explicitly (needed when the answer contains `=`):
///     *=a=b
///
/// A line `ID=ANSWER` is an answer for the gate with node id `ID` (no spaces in `ID`); other
/// lines are plain answers, used in file order by whichever gate asks next. An answer names
/// a choice by key, label, label without key, target node id or number
/// (`HumanQuestion.choice(matching:)`), or is `!timeout`.
///
/// Errors name the file and line: an answer that names no choice (or several), an empty
/// answer or id, and running out of answers — which names the gate that asked and the line
/// to add. Answers are consumed by the instance, shared by every run that uses it.
public final class ScriptedInterviewer: Interviewer, Sendable {
    /// The answer that makes a visit time out.
    public static let timeoutAnswer = "!timeout"

    /// Where the answers came from (the file path), for messages.
    public let source: String
    private let queues: Mutex<AnswerQueues>

    /// Reads the answers in the file at `path`.
    public convenience init(contentsOfFile path: String) throws(ScriptedInterviewerError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScriptedInterviewerError(source: path, line: nil, message: "cannot read the answers file: \(error.localizedDescription)")
        }
        try self.init(text: text, source: path)
    }

    /// Reads answers from `text`; `source` names it in messages.
    public init(text: String, source: String = "<scripted answers>") throws(ScriptedInterviewerError) {
        self.source = source
        var answers = AnswerQueues()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpacesAndNewlines()
            let number = offset + 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let equals = line.firstIndex(of: "="), !line[..<equals].contains(" ") {
                let id = String(line[..<equals])
                let answer = line[line.index(after: equals)...].trimmingSpacesAndNewlines()
                guard !id.isEmpty else {
                    throw ScriptedInterviewerError(source: source, line: number, message: "missing gate id before '=' (write ID=ANSWER, or *=ANSWER for any gate)")
                }
                guard !answer.isEmpty else {
                    throw ScriptedInterviewerError(source: source, line: number, message: "missing answer after '\(id)='")
                }
                let scripted = ScriptedAnswer(text: answer, line: number)
                if id == "*" { answers.plain.append(scripted) } else { answers.byGate[id, default: []].append(scripted) }
            } else {
                answers.plain.append(ScriptedAnswer(text: line, line: number))
            }
        }
        queues = Mutex(answers)
    }

    /// How many answers have not been used yet.
    public var remainingAnswers: Int {
        queues.withLock { $0.plain.count + $0.byGate.values.reduce(0) { $0 + $1.count } }
    }

    /// Answers with the gate's next own answer, else the next plain answer.
    public func ask(_ question: HumanQuestion) async throws -> HumanAnswer {
        let next = queues.withLock { queues -> ScriptedAnswer? in
            if var own = queues.byGate[question.nodeID], !own.isEmpty {
                let answer = own.removeFirst()
                queues.byGate[question.nodeID] = own
                return answer
            }
            return queues.plain.isEmpty ? nil : queues.plain.removeFirst()
        }
        guard let next else {
            throw ScriptedInterviewerError(
                source: source,
                line: nil,
                message: "no answer left for human gate '\(question.nodeID)' (\(question.prompt)): add a line \(question.nodeID)=ANSWER, where ANSWER is one of: \(question.choiceSummary)"
            )
        }
        if next.text.lowercased() == Self.timeoutAnswer { return .timedOut }
        switch question.choice(matching: next.text) {
        case .matched(let choice):
            return .chose(choice)
        case .none:
            throw ScriptedInterviewerError(
                source: source,
                line: next.line,
                message: "answer '\(next.text)' names no choice of human gate '\(question.nodeID)'; its choices are: \(question.choiceSummary)"
            )
        case .ambiguous(let several):
            throw ScriptedInterviewerError(
                source: source,
                line: next.line,
                message: "answer '\(next.text)' matches several choices of human gate '\(question.nodeID)' (\(several.map(\.label).joined(separator: ", "))): use a key, a full label or a target id"
            )
        }
    }
}

/// A scripted answer and the line it came from.
private struct ScriptedAnswer: Sendable {
    var text: String
    var line: Int
}

/// The answers not used yet: per gate, and plain.
private struct AnswerQueues: Sendable {
    var byGate: [String: [ScriptedAnswer]] = [:]
    var plain: [ScriptedAnswer] = []
}

/// A scripted answers file could not be read or did not answer a question.
public struct ScriptedInterviewerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The answers file (or the name given for the text).
    public var source: String
    /// The 1-based line concerned, if one is.
    public var line: Int?
    /// What was wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(source: String, line: Int?, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` without a line.
    public var description: String {
        line.map { "\(source):\($0): \(message)" } ?? "\(source): \(message)"
    }
}
