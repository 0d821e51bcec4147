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
