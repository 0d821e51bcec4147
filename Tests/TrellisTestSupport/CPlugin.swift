import Foundation

/// Builds C plugins for tests: `cc -shared -fPIC` against the repository's ABI header.
public enum CPlugin {
    /// A compiler run that failed, with its command line and output.
    public struct Failure: Error, CustomStringConvertible {
        /// The command and what it printed.
        public var description: String
    }

    /// Compiles `source` into `<directory>/lib<name>.so` and returns its path.
    ///
    /// The library is written under a unique name and renamed into place, so a test that
    /// rebuilds a watched library never exposes a half-written file to a loader.
    @discardableResult
    public static func build(source: String, name: String, into directory: String, defines: [String] = []) throws -> String {
        let sourcePath = directory + "/\(name)-\(UUID().uuidString).c"
        let output = directory + "/lib\(name).so"
        let partial = output + ".\(UUID().uuidString).partial"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: sourcePath) }
        try compile(["-std=c11", "-O1", "-shared", "-fPIC", "-I", Repository.pluginIncludeDirectory]
                    + defines + [sourcePath, "-o", partial, "-lpthread"])
        // The host loads only libraries others cannot write to.
        chmod(partial, 0o755)
        guard rename(partial, output) == 0 else {
            throw Failure(description: "cannot move \(partial) to \(output): errno \(errno)")
        }
        return output
    }

    /// The shipped C example plugin (`Plugins/CExample/example_plugin.c`) built into `directory`,
    /// with `prefix` put before its source (to make a distinct library of the same plugin).
    @discardableResult
    public static func buildExample(name: String = "cexample", into directory: String, prefix: String = "") throws -> String {
        let source = try String(contentsOfFile: Repository.cExampleSource, encoding: .utf8)
        return try build(source: prefix + source, name: name, into: directory)
    }

    /// Runs `cc` (or `c++` when `cplusplus`) with `arguments`; throws with its output on failure.
    public static func compile(_ arguments: [String], cplusplus: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [cplusplus ? "c++" : "cc"] + arguments
        let pipe = Pipe.closingOnExec()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(process.arguments!.joined(separator: " ")) failed:\n" + String(decoding: output, as: UTF8.self))
        }
    }
}
