/// A staged plugin copy, open: `dlopen` loads it through `/proc/self/fd/<descriptor>`, so the
/// image mapped is the file whose bytes were compared, not whatever its path names later.
struct StagedCopy {
    /// The staged file's path (shown by `plugins inspect`).
    let path: String
    /// Open on the staged file. Once `dlopen` has mapped it, it stays open for the life of the
    /// process: the loader knows the image by the name `/proc/self/fd/<descriptor>`, and a
    /// reused descriptor number would make a later `dlopen` of another file return this image.
    let descriptor: CInt

    /// The name `dlopen` loads it by.
    var loaderPath: String { "/proc/self/fd/\(descriptor)" }
}
