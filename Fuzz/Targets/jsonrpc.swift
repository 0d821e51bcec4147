// libFuzzer target `jsonrpc`: the session server's request handling, as `trellis serve --stdio`
// runs it. Each input is the server's whole standard input: `SessionRPCServer.serve` reads it
// line by line (line limits, barriers, pipelined requests, drain at end of input) and answers
// into /dev/null. One `SessionManager` serves every input (built-in simulated LLM with latency
// capped at 5 ms, sessions in memory, no heartbeats, graphs not watched): loading its graphs
// per input would cost more than the input, so after each input every session is stopped and
// the next one starts with none. Any input must be answered, never crash, hang or leak.
// Built by `scripts/fuzz`.
import Dispatch
import Glibc
import TrellisSession

/// What every input shares: the manager, the file the input is served from, the output sink.
private final class Fixture: Sendable {
    let manager: SessionManager
    let input: CInt
    let output: CInt

    init() {
        var options = SessionManagerOptions(watchGraphs: false, heartbeats: .disabled, store: nil, llmLatency: .zero)
        // A session may ask for simulated latency; keep inputs fast (a longer one is refused).
        options.maximumSimulatedLatency = .milliseconds(5)
        do {
            manager = try SessionManager(options: options)
        } catch {
            fatalError("the fuzz server cannot start: \(error)")
        }
        var template = Array("/tmp/trellis-fuzz-jsonrpc-XXXXXX".utf8CString)
        input = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard input >= 0 else { fatalError("cannot create the input file: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        output = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard output >= 0 else { fatalError("cannot open /dev/null: \(String(cString: strerror(errno)))") }
    }

    /// Makes the input file hold exactly `bytes`, read from its start.
    func load(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard ftruncate(input, 0) == 0, bytes.isEmpty || pwrite(input, bytes.baseAddress, bytes.count, 0) == bytes.count,
              lseek(input, 0, SEEK_SET) == 0 else {
            fatalError("cannot write the input file: \(String(cString: strerror(errno)))")
        }
    }
}

private let fixture = Fixture()

/// Carries the async serving's end back to the synchronous libFuzzer callback.
private final class Finished: Sendable {
    let semaphore = DispatchSemaphore(value: 0)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fixture.load(UnsafeBufferPointer(start: data, count: size))
    let finished = Finished()
    Task {
        defer { finished.semaphore.signal() }
        let server = SessionRPCServer(manager: fixture.manager, output: JSONLinesEventWriter(descriptor: fixture.output))
        await server.serve(inputDescriptor: fixture.input, drainTime: .seconds(5))
        for session in fixture.manager.all { try? await fixture.manager.stop(session.id) }
    }
    finished.semaphore.wait()
    return 0
}
