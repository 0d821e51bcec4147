import Foundation
import Testing
@testable import TrellisCore

/// `nameCurrentThread`: the name reaches the system, where `top -H`, `gdb` and `/proc` read it
/// (Foundation's `Thread.name`, set before `start()`, does not on Linux).
@Suite("ThreadName", .timeLimit(.minutes(1)))
struct ThreadNameTests {
    @Test("a thread that names itself shows the name in /proc")
    func theNameReachesTheSystem() async throws {
        let seen = LockedValue<String?>(nil)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                nameCurrentThread("trellis-test")
                let name = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
                seen.withLock { $0 = name }
                done.resume()
            }
            thread.start()
        }
        #expect(seen.withLock { $0 } == "trellis-test\n")
    }

    @Test("a name longer than the kernel's 15 bytes is cut, at a character's end")
    func aLongNameIsCut() async throws {
        let seen = LockedValue<String?>(nil)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                nameCurrentThread("trellis-abcdefïgh")  // "ï" would be the 15th and 16th bytes
                seen.withLock { $0 = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) }
                done.resume()
            }
            thread.start()
        }
        #expect(seen.withLock { $0 } == "trellis-abcdef\n")
    }

    @Test("the shared timer's thread is named")
    func theTimerThreadIsNamed() async throws {
        // The shared timer's thread starts with its first wait.
        try await SharedTimer.shared.sleep(for: .milliseconds(1))
        let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap {
            try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8)
        }
        #expect(names.contains("trellis-timer\n"))
    }
}
