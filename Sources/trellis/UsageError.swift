/// Wrong usage of a command (an unknown option, a missing value, a bad combination), phrased
/// for the user; commands print it after their name and exit with `ExitCode.usage`.
struct UsageError: Error, CustomStringConvertible {
    /// What went wrong and, when it can be told, what to write instead.
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
