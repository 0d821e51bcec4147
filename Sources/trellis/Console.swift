#if canImport(Glibc)
import Glibc
#endif

/// Writing to standard output and standard error without Foundation's buffering surprises.
enum Console {
    /// Writes `text` and a newline to standard output.
    static func out(_ text: String) {
        print(text)
    }

    /// Writes `text` and a newline to standard error.
    static func error(_ text: String) {
        fflush(nil)
        let line = text + "\n"
        line.utf8CString.withUnsafeBufferPointer { buffer in
            _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count - 1)
        }
    }

    /// Whether standard output is a terminal (for live progress and colour).
    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Whether standard input is a terminal.
    static var inputIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }
}
