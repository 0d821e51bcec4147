import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes run events as JSON lines (`--events PATH`, or `-` for standard output): one object per
/// event with `event` (the kind), `timestamp` (ISO 8601 with milliseconds), `node` and
/// `duration_ms` when known, and the event's fields beside them.
///
/// Each line is written with a single `write(2)` under a lock, so lines from concurrent parallel
/// branches never interleave.
public final class JSONLinesEventSink: EventSink, @unchecked Sendable {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let lock = NSLock()
    private var isClosed = false
    private let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    /// Opens `path` for writing (created or truncated); `-` writes to standard output.
    public init(path: String) throws(RunFiles.WriteError) {
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard opened >= 0 else { throw RunFiles.WriteError(path: path, reason: String(cString: strerror(errno))) }
            descriptor = opened
            ownsDescriptor = true
        }
    }

    deinit { close() }

    /// The JSON line for `event` (without the newline).
    public func line(for event: RunEvent) -> String {
        var fields = event.fields
        fields["event"] = .string(event.kind.rawValue)
        fields["timestamp"] = .string(formatter.string(from: event.timestamp))
        if let node = event.nodeID { fields["node"] = .string(node) }
        if let duration = event.duration { fields["duration_ms"] = .double(DurationText.milliseconds(duration)) }
        return ContextValue.map(fields).jsonText
    }

    /// Writes the event's line.
    public func emit(_ event: RunEvent) {
        let bytes = Array((line(for: event) + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                return
            }
            written += result
        }
    }

    /// Closes the file (standard output stays open). Later events are dropped.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        if ownsDescriptor { _ = Glibc.close(descriptor) }
    }
}

/// Sends every event to several sinks in order.
public struct FanOutEventSink: EventSink {
    /// The sinks.
    public var sinks: [any EventSink]

    /// Creates a sink over `sinks`.
    public init(_ sinks: [any EventSink]) { self.sinks = sinks }

    /// Emits to each sink.
    public func emit(_ event: RunEvent) {
        for sink in sinks { sink.emit(event) }
    }
}
