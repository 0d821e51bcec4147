import Foundation

/// What identifies a version of a file cheaply: inode, size and modification time.
/// Editors that save by renaming change the inode; in-place writes change size or time.
struct GraphFileSignature: Sendable, Equatable {
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    /// The signature of the file at `path`, or `nil` when it cannot be read.
    static func of(_ path: String) -> GraphFileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return GraphFileSignature(
            inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }
}
