import Foundation
import Testing
import TrellisCore
import TrellisEngine
@testable import TrellisSession
import TrellisTestSupport

@Suite(.timeLimit(.minutes(2)))
struct GraphFileWatcherTests {
    @Test func aSavedGraphIsServedWithoutWaitingForAPoll() async throws {
        let directory = try Support.temporaryDirectory()
        let path = directory + "/turn.dot"
        try DefaultSessionGraphs.turn.write(toFile: path, atomically: true, encoding: .utf8)
        // An hour between polls: only inotify can notice the change within the wait below.
        let manager = try SessionManager(options: SessionManagerOptions(
            turnGraphPath: path, watchInterval: .seconds(3600), heartbeats: .disabled))
        defer { manager.shutdown() }
        #expect(manager.watcher.withLock { $0?.usesInotify } == true)
        try ("// saved again\n" + DefaultSessionGraphs.turn).write(toFile: path, atomically: true, encoding: .utf8)
        try await waitUntil("the saved graph to be served as generation 2") { manager.graphs.current.number >= 2 }
        // A file beside it that is not a graph wakes the watcher but reloads nothing.
        try "notes".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(200))
        #expect(manager.graphs.current.number == 2)
    }

    @Test func aDirectoryThatCannotBeWatchedFallsBackToPolling() throws {
        #expect(DirectoryWatch(directories: ["/nonexistent-\(UUID().uuidString)"]) == nil)
    }

    @Test func wakeEndsAWaitAndEveryLaterOne() async throws {
        let directory = try Support.temporaryDirectory()
        let watch = try #require(DirectoryWatch(directories: [directory]))
        let waiting = Task.detached { watch.waitForChange(settleMilliseconds: 5) }
        watch.wake()
        #expect(await waiting.value == .woken)
        #expect(watch.waitForChange(settleMilliseconds: 5) == .woken)
    }

    @Test func aChangeIsReportedOnceItSettles() throws {
        let directory = try Support.temporaryDirectory()
        let watch = try #require(DirectoryWatch(directories: [directory]))
        for index in 0..<20 { try "\(index)".write(toFile: directory + "/file\(index)", atomically: false, encoding: .utf8) }
        #expect(watch.waitForChange(settleMilliseconds: 5) == .changed)
    }

    /// Reloads run one at a time: one that read the file before another published must not
    /// publish after it, or the older text serves until the next change. Two threads reload
    /// without pause while the file is rewritten 40 times; after each rewrite and a reload of
    /// our own, that version must be the one serving.
    @Test func concurrentReloadsNeverLeaveAnOlderGraphServing() async throws {
        let path = try Support.temporaryDirectory() + "/turn.dot"
        func write(_ version: Int) throws {
            try DefaultSessionGraphs.turn.replacingOccurrences(of: "digraph session_turn", with: "digraph turn_v\(version)")
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(0)
        let manager = try SessionManager(options: SessionManagerOptions(turnGraphPath: path, watchGraphs: false, heartbeats: .disabled))
        defer { manager.shutdown() }
        let stop = LockedValue(false)
        let finished = LockedValue(0)
        for _ in 0..<2 {
            Thread {
                while !stop.withLock({ $0 }) { _ = manager.reloadGraphs() }
                finished.withLock { $0 += 1 }
            }.start()
        }
        defer { stop.withLock { $0 = true } }
        for version in 1...40 {
            try write(version)
            #expect(manager.reloadGraphs().succeeded)
            #expect(manager.graphs.current.turn.name == "turn_v\(version)")
        }
        stop.withLock { $0 = true }
        try await waitUntil("both reloading threads to stop") { finished.withLock { $0 } == 2 }
    }
}
