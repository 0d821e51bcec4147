import Foundation

/// Runs build tools for `trellis plugins build`.
enum BuildToolRunner {
    /// Runs `executable` with `arguments`, its output going to ours so the user sees the build;
    /// throws naming `what` when it cannot start or exits non-zero.
    static func run(_ executable: String, _ arguments: [String], what: String) throws(ScaffoldError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw ScaffoldError("cannot start \(what): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ScaffoldError("\(what) failed (exit status \(process.terminationStatus)); see its output above")
        }
    }

    /// Runs `executable` and returns its standard output; throws naming `what` on failure.
    static func capture(_ executable: String, _ arguments: [String], what: String) throws(ScaffoldError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            throw ScaffoldError("cannot start \(what): \(error.localizedDescription)")
        }
        // Read before waiting: a full pipe would otherwise block the child forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ScaffoldError("\(what) failed (exit status \(process.terminationStatus))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
