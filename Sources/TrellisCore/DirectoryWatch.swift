#if canImport(Glibc)
import Glibc
#endif

/// An inotify watch on a set of directories, for the watchers that reload plugins and graphs:
/// `waitForChange` blocks its caller (a watcher's own thread, never a task of the cooperative
/// pool) until an entry in one of the directories is written, moved, created, deleted or has
/// its permissions changed, or until `wake()` is called.
///
/// Directories are watched rather than files because editors and `mv` replace a file by
/// renaming a new one over it, which a watch on the old file would never report.
package final class DirectoryWatch: Sendable {
    /// What ended a wait.
    package enum Wake: Sendable {
        /// Something changed in a watched directory (and then stayed quiet for the settle time).
        case changed
        /// `wake()` was called.
        case woken
    }

    private let inotify: Int32
    /// A pipe `wake()` writes to (its read end is `waker`), so a stop never waits for a timeout.
    private let waker: Int32
    private let wakerInput: Int32

    /// Watches every directory; `nil` when inotify or eventfd is unavailable or one of the
    /// directories cannot be watched (missing, unreadable), so the caller can poll instead.
    package init?(directories: [String]) {
        #if os(Linux)
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB
            | IN_MODIFY | IN_DELETE_SELF)
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            close(inotify)
            return nil
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }  // no child may hold the waker open
        guard directories.allSatisfy({ inotify_add_watch(inotify, $0, mask) >= 0 }) else {
            for descriptor in [inotify] + pipeEnds { close(descriptor) }
            return nil
        }
        self.inotify = inotify
        self.waker = pipeEnds[0]
        self.wakerInput = pipeEnds[1]
        #else
        return nil
        #endif
    }

    deinit {
        close(inotify)
        close(waker)
        close(wakerInput)
    }

    /// Blocks until a watched directory changes or `wake()` is called. A change returns only
    /// after `settleMilliseconds` pass without another event, so a copy made of many writes
    /// is reported once, when it is complete.
    package func waitForChange(settleMilliseconds: Int32) -> Wake {
        while true {
            var descriptors = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: waker, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 2, -1) > 0 else { continue }  // EINTR: wait again
            if descriptors[1].revents != 0 { return .woken }
            guard drain(inotify) else { continue }
            while true {
                var settle = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                              pollfd(fd: waker, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&settle, 2, settleMilliseconds)
                if ready > 0 && settle[1].revents != 0 { return .woken }
                if ready <= 0 || !drain(inotify) { return .changed }
            }
        }
    }

    /// Ends the current wait and every later one with `.woken`: a watch once woken stays so,
    /// which is what a stop needs. Any thread.
    package func wake() {
        var byte: UInt8 = 1
        _ = write(wakerInput, &byte, 1)
    }

    /// Reads every pending event; true when there were any.
    private func drain(_ descriptor: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var any = false
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 { any = true }
        return any
    }
}
