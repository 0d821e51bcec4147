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
        trellis_crash_enter(type.crashOrigin.text.baseAddress, type.crashOrigin.text.count, describeCall, request)
        defer { trellis_crash_leave() }
        return body()
    }

    /// Runs `body` (plugin code that is no node's invoke: an adapter's operation, a cancel)
    /// marked with `origin` and `operation` ("llm_complete", "cancel"). Such a call may run
    /// inside another plugin's invoke (a node calling the run's adapter through the host), so
    /// the thread's marking is put back afterwards. (A node's invoke never nests: it skips the
    /// save, a few nanoseconds of every plugin call.)
    static func during<Result>(_ origin: CrashOrigin, _ operation: StaticString, _ body: () -> Result) -> Result {
        let saved = trellis_crash_current()
        // A one-scalar StaticString has no bytes to point at; every operation name is longer.
        trellis_crash_enter(origin.text.baseAddress, origin.text.count,
                            operation.hasPointerRepresentation ? describeOperation : nil,
                            operation.hasPointerRepresentation ? operation.utf8Start : nil)
        defer { trellis_crash_restore(saved) }
        return body()
    }

    /// The `trellis_crash_describe_fn` of node invokes: ", node 'ID', session 'ID'" for the
    /// `HandlerRequest` at `subject`. It runs in the fatal-signal handler, so it only reads and
    /// copies: strings where they are kept, nothing allocated (the context lookup hashes the key
    /// in place; retains and releases are atomic operations).
    private static let describeCall: trellis_crash_describe_fn = { subject, buffer, capacity in
        guard let subject, let buffer else { return 0 }
        let request = subject.assumingMemoryBound(to: HandlerRequest.self)
        var text = CrashText(buffer, capacity: capacity)
        text.append(", node '")
        text.append(request.pointee.node.id)
        if let session = request.pointee.context[SessionContextKeys.sessionID]?.string {
            text.append("', session '")
            text.append(session)
            text.append("'")
        } else {
            text.append("', session (none: not a session run)")
        }
        return text.count
    }

    /// The `trellis_crash_describe_fn` of other calls: ", in OPERATION" for the static string at `subject`.
    private static let describeOperation: trellis_crash_describe_fn = { subject, buffer, capacity in
        guard let subject, let buffer else { return 0 }
        var text = CrashText(buffer, capacity: capacity)
        text.append(", in ")
        text.append(cString: subject.assumingMemoryBound(to: UInt8.self))
        return text.count
    }

    /// Text written into the crash handler's buffer without allocating; what does not fit is cut.
    private struct CrashText {
        let buffer: UnsafeMutablePointer<CChar>
        let capacity: Int
        private(set) var count = 0

        init(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) {
            self.buffer = buffer
            self.capacity = capacity
        }

        /// Appends `text`'s UTF-8 where the string keeps it (nothing from a string without
        /// contiguous UTF-8, none on Linux: copying it would allocate).
        mutating func append(_ text: String) {
            _ = text.utf8.withContiguousStorageIfAvailable { bytes in
                for byte in bytes { append(byte) }
            }
        }

        /// Appends the NUL-terminated bytes at `text`.
        mutating func append(cString text: UnsafePointer<UInt8>) {
            var next = text
            while next.pointee != 0 {
                append(next.pointee)
                next += 1
            }
        }

        private mutating func append(_ byte: UInt8) {
            guard count < capacity else { return }
            buffer[count] = CChar(bitPattern: byte)
            count += 1
        }
    }

    /// Each loaded plugin image by its base address: who code at an address is, for code the
    /// host calls without a node type or adapter to name it (timer callbacks).
    private static let images = LockedValue<[UInt: CrashOrigin]>([:])

    /// Records that the image mapped at `base` is plugin `pluginID`, loaded from `file` (the
    /// first file it was loaded from, when the same bytes are loaded from several).
    static func registerImage(base: UnsafeMutableRawPointer?, pluginID: String, file: String) {
        guard let base else { return }
        images.withLock { images in
            if images[UInt(bitPattern: base)] == nil { images[UInt(bitPattern: base)] = CrashOrigin("plugin '\(pluginID)' (\(file))") }
        }
    }

    /// The image base of the code at `address` (`dladdr`), or `nil` when no loaded object has it.
    static func imageBase(of address: UnsafeRawPointer) -> UnsafeMutableRawPointer? {
        trellis_crash_image_base(address)
    }

    /// Who the plugin code at `address` is, or `nil` when it is in no plugin image.
    static func origin(ofCode address: UnsafeRawPointer) -> CrashOrigin? {
        guard let base = imageBase(of: address) else { return nil }
        return images.withLock { $0[UInt(bitPattern: base)] }
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
