extension Attributes {
    /// Calls `body` with the position in `wanted` and the value of each wanted key that is set.
    ///
    /// Validation asks every node for several keys that are mostly absent; scanning the node's
    /// few keys with string comparisons is cheaper than hashing every wanted key.
    func forEachPresent(_ wanted: [String], _ body: (Int, AttributeValue) -> Void) {
        for entry in entries {
            // Comparing lengths first skips most of the (comparatively slow) string comparisons.
            let length = entry.key.utf8.count
            guard let position = wanted.firstIndex(where: { $0.utf8.count == length && $0 == entry.key }) else { continue }
            body(position, entry.value)
        }
    }

    /// Whether a key of `wanted` is set to something other than blank text.
    func hasNonBlank(anyOf wanted: [String]) -> Bool {
        var found = false
        forEachPresent(wanted) { _, value in
            if !found, !value.isBlank { found = true }
        }
        return found
    }
}

extension AttributeValue {
    /// Whether the text is empty or only spaces, tabs and line ends (without building a trimmed copy).
    var isBlank: Bool {
        raw.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Whether the text is plain ASCII digits with an optional leading `-`: the common spelling
    /// of integers, recognised without the general parse (which also accepts other forms).
    var isPlainInteger: Bool {
        let bytes = raw.utf8
        guard let first = bytes.first, bytes.count <= 18 else { return false }
        let digits = first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
