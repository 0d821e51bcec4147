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

    /// Runs `body` (a call into the plugin behind `type`) marked with the node and session of `request`.
    @inline(__always)
    static func during<Result>(_ type: PluginNodeType, _ request: HandlerRequest, _ body: () -> Result) -> Result {
        var node = request.node.id
        var session = request.context[SessionContextKeys.sessionID]?.string ?? ""
        node.withUTF8 { node in
            session.withUTF8 { session in
                trellis_crash_enter(type.crashOrigin.baseAddress, type.crashOrigin.count, node.baseAddress, node.count,
                                    session.baseAddress, session.count)
            }
        }
        defer { trellis_crash_leave() }
        return body()
    }

    /// Runs `body` (a plugin's `init` or `shutdown`, named by `phase`) marked with the plugin's file and id.
    static func duringLifecycle<Result>(pluginID: String, file: String, phase: String, _ body: () -> Result) -> Result {
        // A load without a host (`plugins inspect`, a scanning child) reports init crashes too.
        install()
        let origin = "plugin '\(pluginID)' (\(file)), in \(phase)"
        return origin.utf8CString.withUnsafeBufferPointer { text in
            trellis_crash_enter(text.baseAddress, text.count - 1, nil, 0, nil, 0)
            defer { trellis_crash_leave() }
            return body()
        }
    }
}
