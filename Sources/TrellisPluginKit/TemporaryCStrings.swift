/// A NUL-terminated copy of `text` that is never freed: for descriptor fields the host may
/// read for the life of the process.
func permanentCString(_ text: String) -> UnsafePointer<CChar> {
    let bytes = text.utf8CString
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    _ = bytes.withUnsafeBufferPointer { source in
        UnsafeMutableBufferPointer(start: storage, count: bytes.count).initialize(from: source)
    }
    return UnsafePointer(storage)
}

/// NUL-terminated copies of registration strings, freed together when the owner is released;
/// callers keep it alive across the host call with `withExtendedLifetime`.
final class TemporaryCStrings {
    private var storage: [UnsafeMutablePointer<CChar>] = []

    /// A copy of `text` that lives as long as `self`.
    func make(_ text: String) -> UnsafePointer<CChar> {
        let bytes = text.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        _ = bytes.withUnsafeBufferPointer { source in
            UnsafeMutableBufferPointer(start: copy, count: bytes.count).initialize(from: source)
        }
        storage.append(copy)
        return UnsafePointer(copy)
    }

    /// A copy of `text`, or NULL when it is empty (optional header fields).
    func makeOptional(_ text: String) -> UnsafePointer<CChar>? {
        text.isEmpty ? nil : make(text)
    }

    deinit {
        for pointer in storage { pointer.deallocate() }
    }
}
