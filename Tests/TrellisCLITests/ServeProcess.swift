import Foundation
import TrellisTestSupport

/// A `trellis serve --stdio` child process driven line by line, for end-to-end tests.
final class ServeProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process = Process()
    private let input = Pipe.closingOnExec()
    private let output = Pipe.closingOnExec()
    private let errors = Pipe.closingOnExec()
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var responses: [Int: [String: Any]] = [:]
    private var notifications: [[String: Any]] = []
    private var ended = false
    private var nextID = 1

    /// Starts `trellis serve --stdio` with `arguments` in `directory`, on the simulated model
    /// and in-memory memory unless `arguments` choose others (so nothing depends on the
    /// machine's API keys, local servers or home directory).
    init(_ arguments: [String], in directory: String) throws {
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.trellis())
        var defaults: [String] = []
        if !arguments.contains("--llm") { defaults += ["--llm", "simulated"] }
        if !arguments.contains("--memory") { defaults += ["--memory", "in_memory"] }
        process.arguments = ["serve", "--stdio"] + defaults + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let handle = output.fileHandleForReading
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    record(Data(line))
                }
            }
            condition.lock()
            ended = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    private func record(_ line: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { return }
        condition.lock()
        if let id = object["id"] as? Int {
            responses[id] = object
        } else if object["method"] != nil {
            notifications.append(object)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Sends a raw line.
    func write(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Sends a request without waiting; returns its id.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:]) throws -> Int {
        condition.lock()
        let id = nextID
        nextID += 1
        condition.unlock()
        let request: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method, "params": params]
        let data = try JSONSerialization.data(withJSONObject: request)
        write(String(decoding: data, as: UTF8.self))
        return id
    }

    /// Waits for the response to `id` (a guard against hangs, not a timing assertion; shorter
    /// than the suites' one-minute limit, so a hang fails with this message first). Every wait
    /// here blocks a Dispatch thread, never one of the cooperative pool's (`offThePool`).
    func response(_ id: Int, within seconds: Double = 30) async throws -> [String: Any] {
        try await offThePool { [self] in try blockingResponse(id, within: seconds) }
    }

    private func blockingResponse(_ id: Int, within seconds: Double) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while responses[id] == nil {
            if ended { throw Failure(description: "the server ended before answering request \(id)") }
            guard condition.wait(until: deadline) else { throw Failure(description: "no response to request \(id)") }
        }
        return responses[id]!
    }

    /// Sends a request and waits for its result; throws with the error message when it failed.
    func call(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
        let answer = try await response(try send(method, params))
        guard let result = answer["result"] as? [String: Any] else {
            throw Failure(description: "\(method) failed: \(answer["error"] ?? answer)")
        }
        return result
    }

    /// Responses received so far, by id.
    var received: [Int: [String: Any]] {
        condition.lock()
        defer { condition.unlock() }
        return responses
    }

    /// Waits until an event notification of `kind` has arrived (a guard against hangs, not a timing assertion).
    func waitForEvent(_ kind: String, within seconds: Double = 30) async throws -> [String: Any] {
        try await offThePool { [self] in try blockingWaitForEvent(kind, within: seconds) }
    }

    private func blockingWaitForEvent(_ kind: String, within seconds: Double) throws -> [String: Any] {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let event = notifications.lazy.compactMap({ $0["params"] as? [String: Any] }).first(where: { $0["kind"] as? String == kind }) {
                return event
            }
            if ended { throw Failure(description: "the server ended before a '\(kind)' event") }
            guard condition.wait(until: deadline) else { throw Failure(description: "no '\(kind)' event") }
        }
    }

    /// Notifications received so far.
    var events: [[String: Any]] {
        condition.lock()
        defer { condition.unlock() }
        return notifications
    }

    /// Closes standard input and waits for the process to exit; returns its status. A server
    /// that does not exit within 30 s is killed (and then reports SIGKILL as its status).
    func finish() async -> Int32 {
        try? input.fileHandleForWriting.close()
        return await offThePool { [self] in
            ChildProcess.waitForExit(process, timeout: .seconds(30))
            return process.terminationStatus
        }
    }

    /// Sends `signal` and waits (at most 30 s) for the process to exit; returns its status and
    /// whether it exited by itself (rather than being killed by the signal).
    func stop(with signal: Int32) async -> (status: Int32, exitedNormally: Bool) {
        kill(process.processIdentifier, signal)
        return await offThePool { [self] in
            ChildProcess.waitForExit(process, timeout: .seconds(30))
            return (process.terminationStatus, process.terminationReason == .exit)
        }
    }

    /// Waits for the response to `id`, then kills the process with SIGKILL on the same thread:
    /// a test that kills a server in the middle of its work must not give it the time a hop
    /// back to the test's task takes (long enough, on a loaded machine, to finish the work).
    func kill9(afterResponseTo id: Int) async throws {
        try await offThePool { [self] in
            _ = try blockingResponse(id, within: 30)
            kill9()
        }
    }

    /// Kills the process with SIGKILL and waits for it.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A fresh temporary directory, removed when the test run ends.
    static func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("serve")
    }
}
