import CTrellisPlugin
import Dispatch
import TrellisCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs plugins' `shutdown` functions, one at a time, on a thread of its own: a retired
/// activation is released wherever its last user lets go (a run finishing, a host publishing a
/// generation under its lock), a place where plugin code must not run.
enum PluginRetirement {
    private static let queue = DispatchQueue(label: "trellis.plugin-retirement")

    /// How long a new `init` of an image waits for the previous activation's `shutdown`.
    static let shutdownWait: Duration = .seconds(10)

    /// Schedules `shutdown` (if the plugin set one) of `library`'s activation that has just
    /// been released; `pluginID` and `file` name it in a crash report.
    static func retire(_ library: PluginLibrary, shutdown: PluginShutdown?, pluginID: String, file: String) {
        queue.async {
            if let shutdown {
                PluginCrashContext.duringLifecycle(pluginID: pluginID, file: file, phase: "shutdown") {
                    shutdown.function(shutdown.userData)
                }
            }
            library.activations.withLock { $0.unfinished -= 1 }
        }
    }

    /// Waits until every activation of `library` has been shut down; `false` after `shutdownWait`.
    static func awaitShutdowns(of library: PluginLibrary) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + shutdownWait
        while library.activations.withLock({ $0.unfinished }) > 0 {
            if clock.now >= deadline { return false }
            usleep(200)
        }
        return true
    }
}
