import Glibc

/// A child started by `ProcessRunner`: its pid (also its process group id), the read ends
/// of its output pipes and the write end of its input pipe (-1 without input), which the
/// monitor owns and closes.
struct SpawnedProcess: Sendable {
    var pid: pid_t
    var standardOutput: Int32
    var standardError: Int32
    var standardInput: Int32 = -1
}

extension ProcessRunner {
    /// Starts `invocation` with `posix_spawn` as the leader of a new process group, stdin
    /// from `/dev/null` (or a non-blocking pipe when the invocation has input), stdout and stderr into non-blocking close-on-exec pipes, every other
    /// descriptor closed in the child, and every signal disposition reset to its default (a
    /// parent that ignores SIGPIPE must not hand that to shell scripts).
    static func spawn(_ invocation: Invocation) throws(Failure) -> SpawnedProcess {
        var info = stat()
        guard stat(invocation.workingDirectory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(reason: "the working directory \(invocation.workingDirectory) does not exist or is not a directory")
        }
        let functions = try GNUSpawnFunctions.resolve()

        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard functions.pipe2(&outputPipe, O_CLOEXEC) == 0 else {
            throw Failure(reason: "could not create a pipe for \(invocation.executable): \(Self.describe(errno))")
        }
        guard functions.pipe2(&errorPipe, O_CLOEXEC) == 0 else {
            let code = errno
            close(outputPipe[0])
            close(outputPipe[1])
            throw Failure(reason: "could not create a pipe for \(invocation.executable): \(Self.describe(code))")
        }

        var inputPipe: [Int32] = [-1, -1]
        if invocation.standardInput != nil, functions.pipe2(&inputPipe, O_CLOEXEC) != 0 {
            let code = errno
            for descriptor in outputPipe + errorPipe { close(descriptor) }
            throw Failure(reason: "could not create a pipe for \(invocation.executable): \(Self.describe(code))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        let argv = CStringArray([invocation.executable] + invocation.arguments)
        let envp = CStringArray(invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
            argv.free()
            envp.free()
            close(outputPipe[1])
            close(errorPipe[1])
            if inputPipe[0] >= 0 { close(inputPipe[0]) }
        }

        var problem: Int32 = inputPipe[0] >= 0
            ? posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
            : posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if problem == 0 { problem = posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1) }
        if problem == 0 { problem = posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2) }
        if problem == 0 { problem = functions.addChdir(&actions, invocation.workingDirectory) }
        if problem == 0 { problem = functions.addClosefrom(&actions, 3) }
        if problem == 0 {
            var empty = sigset_t()
            sigemptyset(&empty)
            var all = sigset_t()
            sigfillset(&all)
            problem = posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            if problem == 0 { problem = posix_spawnattr_setpgroup(&attributes, 0) }
            if problem == 0 { problem = posix_spawnattr_setsigmask(&attributes, &empty) }
            if problem == 0 { problem = posix_spawnattr_setsigdefault(&attributes, &all) }
        }
        var pid: pid_t = 0
        if problem == 0 {
            problem = posix_spawn(&pid, invocation.executable, &actions, &attributes, argv.pointers, envp.pointers)
        }
        guard problem == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            if inputPipe[1] >= 0 { close(inputPipe[1]) }
            throw Failure(reason: "could not start \(invocation.executable) in \(invocation.workingDirectory): \(Self.describe(problem))")
        }
        for descriptor in [outputPipe[0], errorPipe[0], inputPipe[1]] where descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        return SpawnedProcess(pid: pid, standardOutput: outputPipe[0], standardError: errorPipe[0], standardInput: inputPipe[1])
    }

    /// The system's text for an errno value.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }
}

/// glibc functions that Swift's Glibc module does not import (they sit behind
/// `_GNU_SOURCE`), looked up once by name. They exist in glibc 2.34 and later.
private struct GNUSpawnFunctions: @unchecked Sendable {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    let pipe2: Pipe2
    let addChdir: AddChdir
    let addClosefrom: AddClosefrom

    private static let shared: Result<GNUSpawnFunctions, ProcessRunner.Failure> = {
        let library = dlopen(nil, RTLD_NOW)
        func lookup<Function>(_ name: String, as type: Function.Type) -> Function? {
            guard let symbol = dlsym(library, name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        }
        guard let pipe2 = lookup("pipe2", as: Pipe2.self),
              let addChdir = lookup("posix_spawn_file_actions_addchdir_np", as: AddChdir.self),
              let addClosefrom = lookup("posix_spawn_file_actions_addclosefrom_np", as: AddClosefrom.self)
        else {
            return .failure(ProcessRunner.Failure(
                reason: "this C library lacks pipe2, posix_spawn_file_actions_addchdir_np or posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed to run tool commands)"
            ))
        }
        return .success(GNUSpawnFunctions(pipe2: pipe2, addChdir: addChdir, addClosefrom: addClosefrom))
    }()

    static func resolve() throws(ProcessRunner.Failure) -> GNUSpawnFunctions {
        try shared.get()
    }
}

/// A NULL-terminated array of C strings for `argv`/`envp`, freed explicitly.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}
