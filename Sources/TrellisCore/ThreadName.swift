import Foundation

/// Names the calling thread as the system shows it (`top -H`, `gdb`, `/proc/PID/task/*/comm`).
///
/// Call it first inside the thread's closure. On Linux, Foundation's `Thread.name` set before
/// `start()` never reaches the system, so a dedicated thread kept its creator's name (often a
/// pool thread's, `…root.default-qos`); and the kernel refuses, rather than cuts, a name longer
/// than 15 bytes, hence a `StaticString` checked here.
public func nameCurrentThread(_ name: StaticString) {
    precondition(name.utf8CodeUnitCount <= 15, "a thread name holds at most 15 bytes: \(name)")
    Thread.current.name = name.description
}
