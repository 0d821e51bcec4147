import Foundation
import TrellisCore
import TrellisEngine

/// Reloads a manager's graphs when their files change: inotify on the files' directories from
/// one thread, or, when inotify cannot watch them, a stat of each file every `watchInterval`
/// from one task. Either way a change costs one reload, and an unchanged file costs nothing
/// with inotify.
final class GraphFileWatcher: Sendable {
    /// Whether changes are noticed through inotify (false: polling).
    var usesInotify: Bool { directoryWatch != nil }
    private let directoryWatch: DirectoryWatch?
    private let stopped = LockedValue(false)
    private let pollingTask = LockedValue<Task<Void, Never>?>(nil)

    /// Starts watching `paths` for `manager`, which is held weakly: a watcher never keeps a
    /// manager alive.
    init(manager: SessionManager, paths: [String], interval: Duration) {
        let directories = Set(paths.map { ($0 as NSString).deletingLastPathComponent }).map { $0.isEmpty ? "." : $0 }
        directoryWatch = DirectoryWatch(directories: directories.sorted())
        if let directoryWatch {
            let stopped = self.stopped
            let thread = Thread { [weak manager] in
                nameCurrentThread("trellis-graphs")
                // 5 ms of quiet lets an editor's burst of writes finish without adding much
                // to the time from a saved file to the new graph serving.
                while directoryWatch.waitForChange(settleMilliseconds: 5) == .changed, !stopped.withLock({ $0 }) {
                    guard let manager else { return }
                    if manager.graphFilesChanged() { manager.reloadGraphs() }
                }
            }
            thread.start()
        } else {
            let task = Task.detached { [weak manager] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let manager else { return }
                    if manager.graphFilesChanged() { manager.reloadGraphs() }
                }
            }
            pollingTask.withLock { $0 = task }
        }
    }

    /// Stops watching. Does not wait for a reload in progress: `stop` may run on the watcher's
    /// own thread, when the manager's last reference goes away during a reload.
    func stop() {
        stopped.withLock { $0 = true }
        directoryWatch?.wake()
        pollingTask.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
