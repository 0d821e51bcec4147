import CTrellisCrash
import TrellisEngine

/// Crash reports that name the culprit: while the host runs plugin code on a thread, that
/// thread's slot in `trellis_crash.h` holds who it is — the plugin's original file and id, the
/// node type, node and session — so a fatal signal prints it before the process dies (the
/// usual backtrace and exit status follow). In-process plugins share the host's fate; this
/// only makes the death say whose it was.
enum PluginCrashContext {
    /// Installs the fatal-signal handlers (once per process).
    static func install() { trellis_crash_install() }

    /// Runs `body` (a call into the plugin behind `type`) marked with the visit `request`
    /// points to, which must stay where it is until `body` returns. Its node and session are
    /// read only if a crash happens (`describeCall`): looking the session up on every call cost
    /// about a tenth of a no-op node's overhead.
    @inline(__always)
    static func during<Result>(_ type: PluginNodeType, _ request: UnsafePointer<HandlerRequest>, _ body: () -> Result) -> Result {
        trellis_crash_enter(type.crashOrigin.baseAddress, type.crashOrigin.count, describeCall, request)
        defer { trellis_crash_leave() }
        return body()
    }

    /// The `trellis_crash_describe_fn` of node calls: copies the node id and session id of the
    /// `HandlerRequest` at `subject`. It runs in the fatal-signal handler, so it only reads:
    /// the strings are copied where they are kept, never converted, and nothing is allocated
    /// (a context lookup hashes the key in place; retains and releases are atomic operations).
    private static let describeCall: trellis_crash_describe_fn = { subject, node, nodeLength, session, sessionLength, capacity in
        guard let subject, let node, let nodeLength, let session, let sessionLength else { return }
        let request = subject.assumingMemoryBound(to: HandlerRequest.self)
        nodeLength.pointee = copyUTF8(request.pointee.node.id, into: node, capacity: capacity)
        if let id = request.pointee.context[SessionContextKeys.sessionID]?.string {
            sessionLength.pointee = copyUTF8(id, into: session, capacity: capacity)
        }
    }

    /// Copies up to `capacity` bytes of `text`'s UTF-8 into `buffer`; how many it copied.
    /// Copies nothing from a string without contiguous UTF-8 (none on Linux): that would allocate.
    private static func copyUTF8(_ text: String, into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            let count = min(bytes.count, capacity)
            if let base = bytes.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: count) }
            return count
        } ?? 0
    }

    /// Runs `body` (a plugin's `init` or `shutdown`, named by `phase`) marked with the plugin's file and id.
    static func duringLifecycle<Result>(pluginID: String, file: String, phase: String, _ body: () -> Result) -> Result {
        // A load without a host (`plugins inspect`, a scanning child) reports init crashes too.
        install()
        let origin = "plugin '\(pluginID)' (\(file)), in \(phase)"
        return origin.utf8CString.withUnsafeBufferPointer { text in
            trellis_crash_enter(text.baseAddress, text.count - 1, nil, nil)
            defer { trellis_crash_leave() }
            return body()
        }
    }
}
