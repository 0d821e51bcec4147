import Foundation
import Synchronization

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
    public let usesInotify: Bool
    private let stopped = Atomic<Bool>(false)
    private let finished = Mutex(false)

    init(host: PluginHost, mode: Mode, onChange: @escaping @Sendable (PluginGeneration, [PluginLoadReport]) -> Void) {
        var descriptor: Int32 = -1
        var interval = Duration.milliseconds(500)
        switch mode {
        case .automatic:
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if descriptor >= 0 {
                let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF)
                let watched = host.directories.filter { inotify_add_watch(descriptor, $0, mask) >= 0 }
                if watched.count != host.directories.count {
                    // A directory that cannot be watched (missing, unreadable) is covered by polling instead.
                    close(descriptor)
                    descriptor = -1
                }
            }
        case .polling(let every):
            interval = every
        }
        usesInotify = descriptor >= 0
        let fileDescriptor = descriptor
        let pollInterval = interval
        let thread = Thread { [self] in
            run(host: host, descriptor: fileDescriptor, interval: pollInterval, onChange: onChange)
        }
        thread.name = "trellis.plugin-watcher"
        thread.start()
    }

    /// Stops watching; returns once the watcher thread has finished its current reload.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        while !finished.withLock({ $0 }) { usleep(1000) }
    }

    private func run(host: PluginHost, descriptor: Int32, interval: Duration,
                     onChange: @Sendable (PluginGeneration, [PluginLoadReport]) -> Void) {
        defer {
            if descriptor >= 0 { close(descriptor) }
            finished.withLock { $0 = true }
        }
        var lastNumber = host.current.number
        let intervalMicroseconds = UInt32(clamping: interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        while !stopped.load(ordering: .acquiring) {
            if descriptor >= 0 {
                guard waitForEvents(descriptor, timeoutMilliseconds: 100) else { continue }
                // Let a burst of writes settle (a copy is many writes) before reloading.
                while waitForEvents(descriptor, timeoutMilliseconds: 10), !stopped.load(ordering: .acquiring) {}
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
            if generation.number != lastNumber || (noteworthy && descriptor >= 0) {
                lastNumber = generation.number
                onChange(generation, reports)
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for inotify events and drains them; true when there were any.
    private func waitForEvents(_ descriptor: Int32, timeoutMilliseconds: Int32) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, timeoutMilliseconds) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            any = true
        }
        return any
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
