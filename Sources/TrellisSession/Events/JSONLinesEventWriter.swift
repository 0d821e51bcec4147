import Foundation
import TrellisCore

/// Writes session events as JSON lines (one compact object per line) to a file descriptor
/// or a file; whole lines are written with one `write` each, so lines never interleave.
public final class JSONLinesEventWriter: Sendable {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let lock = LockedValue(())
    private let broken = LockedValue<(happened: Bool, listener: (@Sendable () -> Void)?)>((false, nil))

    /// Writes to an open descriptor (for example `STDERR_FILENO`), which stays open.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
        ownsDescriptor = false
    }

    /// Appends to the file at `path`, creating it.
    public init(path: String) throws(SessionError) {
        let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw SessionError.invalidArgument("cannot open event log '\(path)': \(String(cString: strerror(errno)))")
        }
        descriptor = opened
        ownsDescriptor = true
    }

    deinit { if ownsDescriptor { _ = Foundation.close(descriptor) } }

    /// Writes `event` as one line.
    public func write(_ event: SessionEvent) { writeLine(event.jsonLine) }

    /// Writes `line` and a newline in one call.
    public func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLockHeld {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 {
                        if errno == EINTR { continue }
                        if errno == EPIPE { reportBroken() }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Calls `listener` once when a write finds that nobody reads the output any more (`EPIPE`;
    /// the process must ignore SIGPIPE to see it), at once if that already happened.
    public func onBrokenOutput(_ listener: @escaping @Sendable () -> Void) {
        let already = broken.withLock { state -> Bool in
            if state.happened { return true }
            state.listener = listener
            return false
        }
        if already { listener() }
    }

    private func reportBroken() {
        let listener: (@Sendable () -> Void)? = broken.withLock { state in
            guard !state.happened else { return nil }
            state.happened = true
            return state.listener
        }
        listener?()
    }

    /// Subscribes this writer to `bus`.
    @discardableResult
    public func attach(to bus: SessionEventBus, topicPrefix: String? = nil) -> SessionEventBus.Token {
        bus.subscribe(topicPrefix: topicPrefix) { [self] event in write(event) }
    }
}
