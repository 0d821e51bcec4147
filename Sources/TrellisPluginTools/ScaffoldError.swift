/// Why a scaffold or plugin build could not be done, phrased for the user.
package struct ScaffoldError: Error, CustomStringConvertible {
    /// What was wrong and what to do.
    package var description: String

    /// Creates an error with its message.
    package init(_ description: String) { self.description = description }
}
