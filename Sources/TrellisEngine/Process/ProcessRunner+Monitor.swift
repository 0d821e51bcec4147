import Glibc

extension ProcessRunner {
    /// The monitor loop, run on a dedicated thread: reads both pipes, reaps the child,
    /// enforces the timeout and stop requests, and returns once the child is reaped and its
    /// output collected (see `ProcessRunner` for the rules). It owns and closes the pipes.
    static func monitor(_ process: SpawnedProcess, control: MonitorControl, limits: MonitorLimits) -> MonitorOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = limits.timeout.map { started.advanced(by: $0) }
        var streams = [
            StreamCapture(descriptor: process.standardOutput, limit: limits.captureLimit),
            StreamCapture(descriptor: process.standardError, limit: limits.captureLimit),
        ]
        var input = InputFeed(descriptor: process.standardInput, bytes: limits.standardInput)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var termination: Termination?
        var exitedAt: ContinuousClock.Instant?
        var terminateSentAt: ContinuousClock.Instant?
        var killSent = false
        var timedOut = false
        var stoppedOnRequest = false

        while true {
            let now = clock.now
            if terminateSentAt == nil {
                if control.isStopRequested {
                    stoppedOnRequest = true
                } else if termination == nil, let deadline, now >= deadline {
                    // Only a running child times out; after it exits, the drain grace bounds the wait.
                    timedOut = true
                }
                if stoppedOnRequest || timedOut {
                    _ = kill(-process.pid, SIGTERM)
                    terminateSentAt = now
                }
            }
            if let sent = terminateSentAt, !killSent, now - sent >= limits.terminationGrace || termination != nil {
                // Once the leader is gone, whatever is left of its group gets no further grace.
                _ = kill(-process.pid, SIGKILL)
                killSent = true
            }
            if termination == nil, let status = reap(process.pid, blocking: false) {
                termination = status
                exitedAt = now
            }
            if let exitedAt {
                if streams.allSatisfy({ !$0.isOpen }) { break }
                let grace = terminateSentAt == nil ? limits.drainGrace : limits.terminationGrace
                if now - exitedAt >= grace { break }
            }
            if termination != nil || terminateSentAt != nil { input.close() }
            wait(for: &streams, input: &input, buffer: &buffer, milliseconds: 20)
        }
        input.close()
        if terminateSentAt != nil {
            _ = kill(-process.pid, SIGKILL)
        }
        for index in streams.indices { streams[index].close() }
        let finalStatus = termination ?? reap(process.pid, blocking: true) ?? .unknown
        let result = Result(
            termination: finalStatus,
            standardOutput: streams[0].captured,
            standardError: streams[1].captured,
            timedOut: timedOut && !stoppedOnRequest,
            duration: clock.now - started,
            processID: process.pid
        )
        return MonitorOutcome(result: result, stoppedOnRequest: stoppedOnRequest)
    }

    /// Waits up to `milliseconds` for output (or room in the input pipe) and moves whatever
    /// is ready. Input and output share one `poll`, so a child that fills its output pipe
    /// before reading its input cannot deadlock the monitor.
    private static func wait(for streams: inout [StreamCapture], input: inout InputFeed, buffer: inout [UInt8], milliseconds: Int32) {
        let open = streams.indices.filter { streams[$0].isOpen }
        var descriptors = open.map { pollfd(fd: streams[$0].descriptor, events: Int16(POLLIN), revents: 0) }
        if input.isOpen { descriptors.append(pollfd(fd: input.descriptor, events: Int16(POLLOUT), revents: 0)) }
        guard !descriptors.isEmpty else {
            _ = poll(nil, 0, milliseconds)
            return
        }
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        guard ready > 0 else { return }
        for (slot, index) in open.enumerated() where descriptors[slot].revents != 0 {
            streams[index].drain(using: &buffer)
        }
        if input.isOpen, descriptors[descriptors.count - 1].revents != 0 { input.feed() }
    }

    /// Collects the child's status: `nil` when it is still running (non-blocking) and
    /// `.unknown` when something else already reaped it.
    private static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { return decode(status) }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            return .unknown
        }
    }

    /// Decodes a `waitpid` status (the `WIFEXITED`/`WTERMSIG` macros are not imported into Swift).
    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}

/// One output pipe being read: the descriptor while open, and the bounded capture.
struct StreamCapture {
    private(set) var descriptor: Int32
    private let limit: Int
    private(set) var captured = ProcessRunner.CapturedOutput()

    init(descriptor: Int32, limit: Int) {
        self.descriptor = descriptor
        self.limit = limit
    }

    /// Whether the pipe is still open (no end of file yet).
    var isOpen: Bool { descriptor >= 0 }

    /// Reads what is available now, at most 16 buffers, so a child that floods its output
    /// cannot keep the monitor from its timeout and stop checks; closes the pipe at end of
    /// file or on a read error.
    mutating func drain(using buffer: inout [UInt8]) {
        var reads = 0
        while isOpen && reads < 16 {
            reads += 1
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                let room = max(limit - captured.bytes.count, 0)
                if room > 0 { captured.bytes.append(contentsOf: buffer[0..<min(room, count)]) }
                captured.totalByteCount += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            close()
        }
    }

    /// Closes the pipe if it is open.
    mutating func close() {
        guard isOpen else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}

/// The child's standard input being written: the pipe's write end while open, and the bytes
/// still to send. Closed when everything is written, when the child stops reading (`EPIPE`)
/// or when the child ends.
struct InputFeed {
    private(set) var descriptor: Int32
    private let bytes: [UInt8]
    private var offset = 0

    init(descriptor: Int32, bytes: [UInt8]) {
        self.descriptor = descriptor
        self.bytes = bytes
        guard descriptor >= 0 else { return }
        // A write to a pipe the child closed raises SIGPIPE in the writing thread, which would
        // end the whole host. This is the monitor's own thread: blocking it here turns the
        // signal into an EPIPE from `write`, for this thread only.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        if bytes.isEmpty { close() }
    }

    /// Whether the pipe is still open.
    var isOpen: Bool { descriptor >= 0 }

    /// Writes as much as the pipe takes now (never blocking: the pipe is non-blocking).
    mutating func feed() {
        while isOpen && offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            close()  // EPIPE and other errors: the child no longer reads
        }
        if offset >= bytes.count { close() }
    }

    /// Closes the pipe if it is open, so the child sees end of input.
    mutating func close() {
        guard isOpen else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
