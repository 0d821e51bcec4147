#if canImport(Glibc)
import Glibc
#endif

/// Refuses plugin directories and files that other users could write: whoever can replace a
/// library in them can run code inside this process. Symbolic links are resolved first, so a
/// link is judged by the place it leads to, never by its own (always permissive) mode.
enum FileSecurity {
    /// Why `path` may not be used as a plugin directory, or `nil` when it may.
    static func problem(withDirectory path: String) -> String? {
        guard let resolved = realPath(path) else {
            return "cannot open plugin directory \(path): \(String(cString: strerror(errno))); check that it exists"
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "cannot read \(resolved): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(describe(path, resolved)) is not a directory" }
        return permissionProblem(info, describe(path, resolved), kind: "directory", fix: resolved)
    }

    /// Why the plugin file at `path` may not be loaded (the file itself, or the directory it
    /// really lives in, after following links), or `nil` when it may.
    static func problem(withFile path: String) -> String? {
        guard let resolved = realPath(path) else {
            return "cannot open \(path): \(String(cString: strerror(errno)))"
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "cannot read \(resolved): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "\(describe(path, resolved)) is not a regular file" }
        if let problem = permissionProblem(info, describe(path, resolved), kind: "file", fix: resolved) { return problem }
        if let parent = parentDirectory(resolved), let problem = problem(withDirectory: parent) {
            return "\(describe(path, resolved)) lies in an unsafe place: \(problem)"
        }
        return nil
    }

    private static func permissionProblem(_ info: stat, _ name: String, kind: String, fix: String) -> String? {
        let mode = info.st_mode & 0o7777
        let octal = "0" + String(mode, radix: 8)
        if mode & S_IWOTH != 0 {
            return "\(kind) \(name) is writable by every user (mode \(octal)): anyone could put code into this process through it; run 'chmod o-w,g-w \(fix)'"
        }
        if mode & S_IWGRP != 0 {
            return "\(kind) \(name) is writable by its group (mode \(octal)): other users could put code into this process through it; run 'chmod g-w \(fix)'"
        }
        let me = geteuid()
        if info.st_uid != me && info.st_uid != 0 {
            return "\(kind) \(name) belongs to user id \(info.st_uid), neither you (\(me)) nor root: its owner could put code into this process; use a \(kind) you own"
        }
        return nil
    }

    private static func describe(_ path: String, _ resolved: String) -> String {
        resolved == path ? path : "\(path) (a link to \(resolved))"
    }

    /// The canonical absolute path with every link resolved, or `nil` (errno set).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func parentDirectory(_ path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
