import Foundation
import Glibc

/// Makes a pipe whose two ends are closed on exec, into `descriptors` (read end first), and
/// returns 0, or -1 as `pipe` does.
///
/// Tests run in parallel and start child processes (servers, `trellis` itself): a child that
/// inherits another test's pipe keeps its write end open, and a reader waiting for end of
/// file then waits as long as that child lives.
public func closeOnExecPipe(_ descriptors: inout [Int32]) -> Int32 {
    guard pipe(&descriptors) == 0 else { return -1 }
    for descriptor in descriptors.prefix(2) { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    return 0
}

extension Pipe {
    /// A Foundation pipe whose two ends are closed on exec, for a child's standard streams.
    ///
    /// Foundation closes in a child only the descriptors that were open when it looked; a
    /// plain `Pipe()` made by one test while another test is starting a child can end up in
    /// that child. Most likely that is how a `trellis serve` once waited 30 s to see its client
    /// stop reading: another child held its output's read end. Foundation hands the descriptor
    /// to the intended child through `dup2`, which clears the flag there.
    public static func closingOnExec() -> Pipe {
        let pipe = Pipe()
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return pipe
    }
}
