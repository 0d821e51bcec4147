import Foundation
import Glibc
import Testing
@testable import TrellisEngine

@Suite("ProcessRunner", .timeLimit(.minutes(1)))
struct ProcessRunnerTests {
    private func shell(_ script: String, in directory: String, timeout: Duration? = nil) -> ProcessRunner.Invocation {
        ProcessRunner.Invocation(
            executable: "/bin/sh",
            arguments: ["-c", script],
            environment: ["PATH": "/usr/bin:/bin"],
            workingDirectory: directory,
            timeout: timeout
        )
    }

    @Test("captures stdout, stderr and the exit status")
    func capturesOutputAndStatus() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let result = try await ProcessRunner().run(shell("printf 'out'; printf 'err' >&2; exit 7", in: directory))
        #expect(result.standardOutput.text == "out")
        #expect(result.standardError.text == "err")
        #expect(result.termination == .exited(7))
        #expect(result.termination.exitCode == 7)
        #expect(!result.timedOut)
    }

    @Test("runs in the working directory with only the given environment")
    func workingDirectoryAndEnvironment() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        var invocation = shell("pwd; printf '%s|%s' \"$ONLY\" \"${HOME-unset}\"", in: directory)
        invocation.environment["ONLY"] = "given"
        let result = try await ProcessRunner().run(invocation)
        #expect(result.standardOutput.text == "\(directory)\ngiven|unset")
    }

    @Test("a missing working directory is reported, not run")
    func missingWorkingDirectory() async throws {
        let parent = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(parent) }
        let missing = parent + "/does-not-exist"
        await #expect(throws: ProcessRunner.Failure.self) {
            _ = try await ProcessRunner().run(shell("true", in: missing))
        }
    }

    @Test("keeps the first bytes of a long stream and counts the rest")
    func boundsCapture() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runner = ProcessRunner(captureLimit: 10)
        let result = try await runner.run(shell("i=0; while [ $i -lt 1000 ]; do printf '0123456789'; i=$((i+1)); done", in: directory))
        #expect(result.standardOutput.bytes.count == 10)
        #expect(result.standardOutput.totalByteCount == 10_000)
        #expect(result.standardOutput.isTruncated)
        #expect(result.termination == .exited(0))
    }

    @Test("the child inherits no descriptors beyond stdin, stdout and stderr")
    func noInheritedDescriptors() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        // Open a descriptor without close-on-exec in this process; the child must not see it.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let result = try await ProcessRunner().run(shell("ls /proc/self/fd", in: directory))
        let descriptors = Set(result.standardOutput.text.split(separator: "\n").compactMap { Int32($0) })
        #expect(!descriptors.contains(leaked))
        #expect(descriptors.isSuperset(of: [0, 1, 2]))
        #expect(descriptors.count <= 4, "0, 1, 2 and the one ls opens to read the directory: \(descriptors.sorted())")
    }

    @Test("signals ignored here are reset to their default in the child")
    func signalDefaultsReset() async throws {
        signal(SIGPIPE, SIG_IGN)
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let result = try await ProcessRunner().run(shell("yes | head -n 1", in: directory))
        #expect(result.standardOutput.text == "y\n")
        #expect(result.standardError.text == "", "yes must die of SIGPIPE quietly, not report a write error")
    }

    @Test("the child is reaped: no zombie is left")
    func childIsReaped() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let result = try await ProcessRunner().run(shell("exit 0", in: directory))
        let stat = LeafTestSupport.read("/proc/\(result.processID)/stat")
        #expect(!stat.contains(") Z "), "the child must not linger as a zombie")
    }

    @Test("many runs leave no descriptors behind")
    func noDescriptorLeak() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        // Each child names the pipes it was given (`pipe:[inode]`); none of those may still be open
        // here afterwards. Counting all of this process's descriptors instead would also count
        // whatever tests running alongside happen to hold open at that moment.
        var childPipes: Set<String> = []
        for _ in 0..<100 {
            let result = try await ProcessRunner().run(shell("readlink /proc/$$/fd/1; readlink /proc/$$/fd/2 >&2", in: directory))
            childPipes.insert(result.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines))
            childPipes.insert(result.standardError.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(childPipes.allSatisfy { $0.hasPrefix("pipe:[") }, "the child's output must reach the runner through pipes")
        let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let stillOpen = names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter(childPipes.contains)
        #expect(stillOpen.isEmpty, "pipes of finished runs still open here: \(stillOpen.prefix(5))")
    }

    @Test("a timeout kills the whole process group, grandchildren included")
    func timeoutKillsProcessGroup() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let script = "sleep 30 & echo $! > grandchild.pid; sleep 30"
        let result = try await ProcessRunner().run(shell(script, in: directory, timeout: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGTERM) || result.termination == .signaled(SIGKILL))
        let grandchild = try #require(Int32(LeafTestSupport.read(directory + "/grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(LeafTestSupport.isDead(grandchild))
        #expect(LeafTestSupport.isDead(result.processID))
    }

    @Test("a flood of output does not keep the timeout from firing")
    func floodStillTimesOut() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let result = try await ProcessRunner().run(shell("yes", in: directory, timeout: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.standardOutput.isTruncated)
        #expect(result.standardOutput.bytes.count == 1 << 20)
    }

    @Test("a process that ignores SIGTERM is killed after the grace period")
    func escalatesToKill() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runner = ProcessRunner(terminationGrace: .milliseconds(100))
        let script = "trap '' TERM; sleep 30 & echo $! > grandchild.pid; while :; do sleep 1; done"
        let result = try await runner.run(shell(script, in: directory, timeout: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        let grandchild = try #require(Int32(LeafTestSupport.read(directory + "/grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(LeafTestSupport.isDead(grandchild))
    }

    @Test("cancelling the task ends the process group and throws CancellationError")
    func cancellationKillsProcessGroup() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let script = "sleep 30 & echo $! > grandchild.pid; sleep 30"
        let task = Task { try await ProcessRunner().run(shell(script, in: directory)) }
        let grandchild = try #require(Int32(try await LeafTestSupport.waitForLine(in: directory + "/grandchild.pid")))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(LeafTestSupport.isDead(grandchild))
    }

    @Test("a process that escaped the group and holds the pipes cannot make a run hang")
    func escapedHolderDoesNotHang() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runner = ProcessRunner(terminationGrace: .milliseconds(100), drainGrace: .milliseconds(100))
        // setsid moves the sleeper into its own session and group, out of reach of the group kill,
        // while it keeps stdout and stderr open.
        let script = "setsid sh -c 'echo $$ > escaped.pid; exec sleep 30' & printf started; sleep 30"
        let result = try await runner.run(shell(script, in: directory, timeout: .milliseconds(300)))
        #expect(result.timedOut)
        #expect(result.standardOutput.text == "started")
        if let escaped = Int32(LeafTestSupport.read(directory + "/escaped.pid").trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(escaped, SIGKILL)
        }
    }

    @Test("output held open by a background process after a normal exit is collected up to the drain grace")
    func backgroundHolderAfterExit() async throws {
        let directory = try LeafTestSupport.makeScratchDirectory()
        defer { LeafTestSupport.remove(directory) }
        let runner = ProcessRunner(drainGrace: .milliseconds(100))
        let result = try await runner.run(shell("sleep 30 & echo $! > background.pid; printf done", in: directory))
        #expect(result.termination == .exited(0))
        #expect(!result.timedOut)
        #expect(result.standardOutput.text == "done")
        if let background = Int32(LeafTestSupport.read(directory + "/background.pid").trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(background, SIGKILL)
        }
    }
}
