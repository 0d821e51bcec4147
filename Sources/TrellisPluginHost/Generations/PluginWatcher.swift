import Foundation
import Synchronization
import TrellisCore

#if canImport(Glibc)
import Glibc
#endif

/// Reloads a host when its plugin directories change: inotify on a dedicated thread, or
/// polling when inotify is unavailable (or asked for). Stop it with `stop()`.
public final class PluginWatcher: Sendable {
    /// How changes are noticed.
    public enum Mode: Sendable {
        /// inotify, falling back to polling when it cannot be set up.
        case automatic
        /// Poll every interval (reload compares file signatures, so an unchanged poll costs a few `stat`s).
        case polling(Duration)
    }

    /// Whether the watcher uses inotify (false: polling).
    public var usesInotify: Bool { directoryWatch != nil }
    private let directoryWatch: DirectoryWatch?
    private let stopped = Atomic<Bool>(false)
    private let finished = LockedValue(false)

    init(host: PluginHost, mode: Mode, onChange: @escaping @Sendable (PluginGeneration, [PluginLoadReport]) -> Void) {
        var interval = Duration.milliseconds(500)
        switch mode {
        case .automatic:
            // A directory that cannot be watched (missing, unreadable) is covered by polling instead.
            directoryWatch = DirectoryWatch(directories: host.directories)
        case .polling(let every):
            directoryWatch = nil
            interval = every
        }
        let pollInterval = interval
        let thread = Thread { [self] in
            nameCurrentThread("trellis-plugins")
            run(host: host, interval: pollInterval, onChange: onChange)
        }
        thread.start()
    }

    /// Stops watching; returns once the watcher thread has finished its current reload.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        directoryWatch?.wake()
        while !finished.withLock({ $0 }) { usleep(1000) }
    }

    private func run(host: PluginHost, interval: Duration,
                     onChange: @Sendable (PluginGeneration, [PluginLoadReport]) -> Void) {
        defer { finished.withLock { $0 = true } }
        var lastNumber = host.current.number
        let intervalMicroseconds = UInt32(clamping: interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        while !stopped.load(ordering: .acquiring) {
            if let directoryWatch {
                // Let a burst of writes settle (a copy is many writes) before reloading.
                guard directoryWatch.waitForChange(settleMilliseconds: 10) == .changed else { break }
            } else {
                var slept: UInt32 = 0
                while slept < intervalMicroseconds, !stopped.load(ordering: .acquiring) {
                    let step = min(50_000, intervalMicroseconds - slept)
                    usleep(step)
                    slept += step
                }
            }
            if stopped.load(ordering: .acquiring) { break }
            let reports = host.reload()
            let generation = host.current
            let noteworthy = reports.contains { $0.status == .loaded || $0.status == .removed || $0.status == .failed }
            if generation.number != lastNumber || (noteworthy && usesInotify) {
                lastNumber = generation.number
                onChange(generation, reports)
            }
        }
    }
}

extension PluginHost {
    /// Reloads whenever the plugin directories change and calls `onChange` (on the watcher's
    /// thread) with the new generation and the reload's reports. With inotify, `onChange` also
    /// runs for a reload that only reported failures (the previous generation keeps serving);
    /// with polling, only when a new generation was published.
    @discardableResult
    public func watch(mode: PluginWatcher.Mode = .automatic,
                      onChange: @escaping @Sendable (PluginGeneration, [PluginLoadReport]) -> Void) -> PluginWatcher {
        PluginWatcher(host: self, mode: mode, onChange: onChange)
    }
}
