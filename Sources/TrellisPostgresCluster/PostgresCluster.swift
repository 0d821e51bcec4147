import Foundation

/// A throwaway PostgreSQL cluster for a test run or a benchmark: `initdb` into a fresh
/// temporary directory, `pg_ctl start` listening only on a Unix socket in that directory,
/// one cluster per process, stopped (`pg_ctl -m immediate stop`) and removed at exit.
///
/// PostgreSQL refuses to run as root; when the process runs as root (CI), the cluster runs
/// as the `postgres` user through `setpriv` (not `runuser`, whose session handling stops a
/// process without a terminal), its directory owned by that user. When the cluster cannot
/// be started, `shared` throws a `Failure` saying why — a PostgreSQL test or benchmark then
/// fails; it is never skipped.
public final class PostgresCluster: Sendable {
    /// Why the cluster could not be started.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong and what to install or change.
        public var description: String
    }

    /// The directory holding the data directory, the socket and the server log.
    public let directory: String
    /// The port (part of the socket's name; nothing listens on TCP).
    public let port: Int
    private let binaries: String
    private let runAs: String?

    nonisolated(unsafe) private static var running: PostgresCluster?

    private static let started: Result<PostgresCluster, Failure> = {
        do {
            let cluster = try PostgresCluster()
            running = cluster
            atexit { PostgresCluster.running?.stop() }
            return .success(cluster)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(description: "cannot start a throwaway PostgreSQL cluster: \(error)"))
        }
    }()

    /// The process's cluster, started on first use. Starting it blocks (initdb, pg_ctl) on a
    /// thread of its own: blocking the cooperative pool would stall every other task.
    public static func shared() async throws -> PostgresCluster {
        try await offPool { try started.get() }
    }

    /// Runs `body` on a new thread and waits for it without holding a cooperative thread.
    private static func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }

    /// A new empty database in the process's cluster; returns its URL.
    public static func newDatabase() async throws -> String {
        let cluster = try await shared()
        return try await offPool { try cluster.createDatabase() }
    }

    private init() throws {
        guard let binaries = Self.findBinaries() else {
            throw Failure(description: "PostgreSQL's server programs (initdb, pg_ctl) are not installed: run scripts/install-deps (it installs postgresql and libpq-dev)")
        }
        self.binaries = binaries
        var template = Array((FileManager.default.temporaryDirectory.standardizedFileURL.path + "/trellis-pg-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "cannot create a temporary directory for PostgreSQL") }
        directory = String(cString: made)
        port = Int.random(in: 20_000...60_000)
        chmod(directory, 0o755)
        if getuid() == 0 {
            guard let user = getpwnam("postgres") else {
                throw Failure(description: "this process runs as root and PostgreSQL refuses root, but there is no 'postgres' user to run it as (install the postgresql package)")
            }
            guard chown(directory, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw Failure(description: "cannot give \(directory) to the postgres user: \(String(cString: strerror(errno)))")
            }
            runAs = "postgres"
        } else {
            runAs = nil
        }
        let initialized = try run("initdb", ["-D", directory + "/data", "-A", "trust", "-U", "trellis", "--no-sync", "-E", "UTF8"])
        guard initialized.status == 0 else {
            throw Failure(description: "initdb failed (status \(initialized.status)): \(initialized.output)")
        }
        let options = "-k \(directory) -p \(port) -c listen_addresses='' -c fsync=on -c max_connections=200"
        let started = try run("pg_ctl", ["-D", directory + "/data", "-o", options, "-l", directory + "/server.log", "-w", "-t", "60", "start"])
        guard started.status == 0 else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw Failure(description: "pg_ctl start failed (status \(started.status)): \(started.output)\n\(log)")
        }
    }

    /// initdb and pg_ctl: on the PATH, else in Debian's versioned directories.
    private static func findBinaries() -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        // A PATH entry may hold only links to initdb and pg_ctl: use the directory they point into.
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") && FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
            .map { URL(fileURLWithPath: $0 + "/initdb").resolvingSymlinksInPath().deletingLastPathComponent().path }
    }

    /// This process's open descriptors above standard error that a child would inherit (those
    /// without close-on-exec), read from `/proc/self/fd`.
    static func inheritableDescriptors() -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        return names.compactMap { Int32($0) }.filter { $0 > 2 && fcntl($0, F_GETFD) >= 0 && fcntl($0, F_GETFD) & FD_CLOEXEC == 0 }
    }

    /// Runs a PostgreSQL program (as `runAs` when set) with its output in a file, not a pipe
    /// (the server `pg_ctl` starts inherits descriptors, and a pipe it held would never close),
    /// through `posix_spawn` and `waitpid` (Foundation's `Process` left `pg_ctl` unreaped).
    private func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let command = (runAs.map { ["/usr/bin/setpriv", "--reuid=\($0)", "--regid=\($0)", "--clear-groups"] } ?? [])
            + [binaries + "/" + program] + arguments
        let outputPath = directory + "/\(program)-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The server pg_ctl starts lives for the whole run: it must not inherit another
        // test's (or a benchmark host's) pipe, whose reader would then wait for an end of
        // file that never comes.
        for descriptor in Self.inheritableDescriptors() { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run \(command[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : status & 0x7f, text)
    }

    /// Creates a new empty database and returns its URL (socket directory and port as parameters).
    public func createDatabase() throws -> String {
        let name = "t\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        let created = try run("createdb", ["-h", directory, "-p", String(port), "-U", "trellis", name])
        guard created.status == 0 else { throw Failure(description: "createdb failed: \(created.output)") }
        return "postgresql:///\(name)?host=\(directory)&port=\(port)&user=trellis"
    }

    /// Stops the server at once and removes its directory (at exit).
    func stop() {
        _ = try? run("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
