public import CTrellisPlugin

// Helpers over the C ABI's `trellis_string` (pointer + length, not NUL-terminated, borrowed),
// shared by the host and the plugin SDK. They are `package`: both sides of the ABI are built
// from this package, but a plugin author's code has no business with them.

extension trellis_string {
    /// The bytes as a Swift string (invalid UTF-8 repaired); empty for a NULL pointer.
    @inlinable
    package var swiftString: String { String(borrowing: self) }

    /// The bytes as a Swift string, or `nil` when they are not valid UTF-8 (a NULL pointer or
    /// zero length reads as empty). For strings whose corruption must be refused, not repaired.
    @inlinable
    package var validatedString: String? {
        guard let data, length > 0 else { return "" }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        // ASCII (keys, and most values) is valid UTF-8 as it stands: decoding it skips the
        // generic validator, whose run-time metadata lookup showed in benchmark 8's profile.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The empty string (NULL pointer, zero length).
    @inlinable
    package static var empty: trellis_string { trellis_string(data: nil, length: 0) }
}

extension String {
    /// Copies a borrowed `trellis_string` into a Swift string; invalid UTF-8 is repaired
    /// with replacement characters, and a NULL pointer reads as empty.
    @inlinable
    package init(borrowing text: trellis_string) {
        guard let data = text.data, text.length > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: data, count: text.length), as: UTF8.self)
    }
}

/// Lends `text` to C as a `trellis_string` valid only inside `body`; the receiver copies it.
@inlinable
package func withTrellisString<Result>(_ text: String, _ body: (trellis_string) throws -> Result) rethrows -> Result {
    var text = text
    return try text.withUTF8 { buffer in
        let start = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
        return try body(trellis_string(data: start, length: buffer.count))
    }
}
