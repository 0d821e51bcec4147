import CTrellisPlugin

/// How important a log line is.
public enum LogLevel: Sendable, Hashable {
    /// Detail for debugging.
    case debug
    /// Normal progress.
    case info
    /// Something odd that did not stop the work.
    case warning
    /// Something failed.
    case error

    /// The header's TRELLIS_LOG_* code.
    var code: Int32 {
        switch self {
        case .debug: return TRELLIS_LOG_DEBUG
        case .info: return TRELLIS_LOG_INFO
        case .warning: return TRELLIS_LOG_WARNING
        case .error: return TRELLIS_LOG_ERROR
        }
    }
}
