import CTrellisPlugin

extension trellis_string {
    /// The bytes as a Swift string (invalid UTF-8 repaired); empty for a NULL pointer.
    var swiftString: String {
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// The empty string.
    static var empty: trellis_string { trellis_string(data: nil, length: 0) }
}

/// Runs `body` with `text` lent as a `trellis_string` valid only inside `body`.
func withTrellisString<Result>(_ text: String, _ body: (trellis_string) -> Result) -> Result {
    var text = text
    return text.withUTF8 { utf8 in
        body(trellis_string(data: UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self), length: utf8.count))
    }
}

/// The text of a NUL-terminated registration string; empty for NULL.
func registrationString(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
