#if canImport(Glibc)
import Glibc
#endif

/// Refuses plugin directories and files that other users could write or replace: whoever can
/// replace a library, or rename one of the directories on its way from `/`, can run code
/// inside this process. Symbolic links are resolved first, so a link is judged by the place it
/// leads to, never by its own (always permissive) mode, and every directory of the real path
/// is checked up to `/`.
///
/// A directory others may write to is safe on the way to a plugin only when it has the sticky
/// bit and belongs to root or to this user (like `/tmp`): there, nobody can rename or remove
/// an entry they do not own, and the entry below it is checked to belong to this user or root.
/// A plugin directory itself must never be writable by others, sticky or not, because anyone
/// who can add a file to it adds a plugin.
enum FileSecurity {
    /// Why `path` may not be used as a plugin directory, or `nil` when it may.
    static func problem(withDirectory path: String) -> String? {
        guard let resolved = realPath(path) else {
            return "cannot open plugin directory \(path): \(String(cString: strerror(errno))); check that it exists"
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return "cannot read \(resolved): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(describe(path, resolved)) is not a directory" }
        if let problem = permissionProblem(info, describe(path, resolved), kind: "directory", path: resolved) { return problem }
        return ancestorProblem(of: resolved, named: describe(path, resolved))
    }

    /// Opens the plugin file at `path` once (`O_RDONLY | O_CLOEXEC`, after resolving links)
    /// and checks that descriptor: a regular file that only this user or root can write, whose
    /// every directory up to `/` is safe, and which the checked path still leads to. Whatever is
    /// read from the returned descriptor is what was checked, whatever happens to the path later.
    static func openChecked(file path: String) throws(PluginLoadError) -> CheckedFile {
        guard let resolved = realPath(path) else {
            throw PluginLoadError(.unreadable, file: path, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let name = describe(path, resolved)
        // O_NOFOLLOW: the resolved path has no link left, so one appearing now is a swap.
        // O_NONBLOCK: opening a FIFO put in the file's place must not hang the host.
        let descriptor = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw PluginLoadError(.unreadable, file: path, "cannot open \(name): \(String(cString: strerror(errno)))")
        }
        let file = CheckedFile(descriptor: descriptor, resolvedPath: resolved)
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw PluginLoadError(.unreadable, file: path, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
        guard opened.st_mode & S_IFMT == S_IFREG else { throw PluginLoadError(.insecure, file: path, "\(name) is not a regular file") }
        if let problem = permissionProblem(opened, name, kind: "file", path: resolved) { throw PluginLoadError(.insecure, file: path, problem) }
        if let problem = ancestorProblem(of: resolved, named: name) { throw PluginLoadError(.insecure, file: path, problem) }
        var named = stat()
        guard stat(resolved, &named) == 0, named.st_dev == opened.st_dev, named.st_ino == opened.st_ino else {
            throw PluginLoadError(.insecure, file: path, "\(name) was replaced while it was being checked; load it again")
        }
        return file
    }

    /// Why `resolved` (a real path, named `name` in messages) lies in an unsafe place: the
    /// first directory between it and `/` that another user could use to put something else
    /// in its place, or `nil` when there is none.
    private static func ancestorProblem(of resolved: String, named name: String) -> String? {
        var below = resolved
        while let directory = parentDirectory(below) {
            var info = stat()
            guard lstat(directory, &info) == 0 else {
                return "cannot check \(directory), a directory above \(name): \(String(cString: strerror(errno)))"
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                return "\(directory), above \(name), is no longer a directory (it was replaced while being checked); load it again"
            }
            let mode = info.st_mode & 0o7777
            let octal = "0" + String(mode, radix: 8)
            let owner = info.st_uid
            let me = geteuid()
            if owner != me && owner != 0 {
                return "\(name) lies in an unsafe place: directory \(directory) belongs to user id \(owner), neither you (\(me)) nor root, "
                    + "so its owner could put other code in the place of \(below); keep plugins under directories that you or root own"
            }
            let othersWrite = mode & (S_IWGRP | S_IWOTH)
            let sticky = mode & S_ISVTX != 0
            // Sticky and owned by root or this user: others may add entries but cannot
            // rename or remove `below`, which is checked (one step earlier) to be ours or root's.
            if othersWrite != 0 && !sticky {
                let who = mode & S_IWOTH != 0 ? "every user" : "its group"
                let fix = mode & S_IWOTH != 0 ? "o-w,g-w" : "g-w"
                let advice = owner == me
                    ? "run 'chmod \(fix) \(directory)' (or 'chmod +t \(directory)' if others must keep creating files in it), or keep plugins elsewhere"
                    : "ask root to run 'chmod \(fix) \(directory)' (or 'chmod +t'), or keep plugins elsewhere"
                return "\(name) lies in an unsafe place: directory \(directory) is writable by \(who) (mode \(octal)) and has no sticky bit, "
                    + "so others could rename \(below) and put other code in its place; \(advice)"
            }
            below = directory
        }
        return nil
    }

    /// Why a file or plugin directory with `info` may not be used, or `nil`.
    private static func permissionProblem(_ info: stat, _ name: String, kind: String, path: String) -> String? {
        let mode = info.st_mode & 0o7777
        let octal = "0" + String(mode, radix: 8)
        let me = geteuid()
        if kind == "directory", mode & (S_IWGRP | S_IWOTH) != 0, mode & S_ISVTX != 0 {
            // A shared directory such as /tmp: tightening it would break everyone else's use.
            return "directory \(name) is shared (writable by others, mode \(octal), with the sticky bit, like /tmp): anyone can add a "
                + "plugin to it; keep plugins in a directory of your own that only you can write (e.g. ~/.local/share/trellis/plugins)"
        }
        let fix = info.st_uid == me ? "run" : "ask its owner (user id \(info.st_uid)) to run"
        if mode & S_IWOTH != 0 {
            return "\(kind) \(name) is writable by every user (mode \(octal)): anyone could put code into this process through it; \(fix) 'chmod o-w,g-w \(path)'"
        }
        if mode & S_IWGRP != 0 {
            return "\(kind) \(name) is writable by its group (mode \(octal)): other users could put code into this process through it; \(fix) 'chmod g-w \(path)'"
        }
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

    /// The directory holding `path` (an absolute path), or `nil` for `/`.
    private static func parentDirectory(_ path: String) -> String? {
        guard path != "/", let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
