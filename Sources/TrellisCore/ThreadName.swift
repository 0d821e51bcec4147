#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread as the system shows it (`top -H`, `gdb`, backtraces,
/// `/proc/PID/task/*/comm`), so the host's own threads can be told apart.
///
/// Call it first inside the thread's closure: on Linux a new thread starts with its creator's
/// name (often a pool thread's, `…root.default-qos`). Foundation's `Thread.name` does not fix
/// that reliably: it reaches the system only when the `Thread` object already holds its
/// pthread, which races with `start()` (and set before `start()`, never does). Glibc's Swift
/// module exports neither `pthread_setname_np` nor `prctl`, so the name is written to the
/// thread's own `comm` file, as proc(5) allows. The kernel keeps at most 15 bytes (and refuses
/// a longer name outright), so the name is cut to its first 15 bytes, at a character's end.
/// Best effort: without `/proc` the thread keeps its name.
package func nameCurrentThread(_ name: String) {
    var bytes: [UInt8] = []
    for scalar in name.unicodeScalars {
        let encoded = Array(String(scalar).utf8)
        guard bytes.count + encoded.count <= 15 else { break }
        bytes += encoded
    }
    let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard file >= 0 else { return }
    defer { close(file) }
    _ = bytes.withUnsafeBufferPointer { write(file, $0.baseAddress, $0.count) }
}
