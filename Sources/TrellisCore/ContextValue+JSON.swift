extension ContextValue {
    /// The nesting depth `init(jsonText:)` accepts by default: deep enough for any real
    /// document, shallow enough that the recursive reader cannot exhaust a thread's stack.
    public static let defaultMaximumJSONDepth = 512

    /// Compact JSON text for the value (keys of maps sorted, so output is deterministic).
    public var jsonText: String {
        var buffer = JSONBuffer()
        writeJSON(to: &buffer)
        return buffer.text
    }

    /// Appends the value's JSON text to `out` (see `writeJSON(to:)` on a buffer).
    public func writeJSON(to out: inout String) {
        out += jsonText
    }

    /// Writes the value's JSON text into `buffer`; non-finite doubles, which JSON cannot spell,
    /// are written as `null`.
    public func writeJSON(to buffer: inout JSONBuffer) {
        switch self {
        case .string(let text): buffer.appendQuoted(text)
        case .integer(let number): buffer.append(integer: number)
        case .double(let number): number.isFinite ? buffer.append(raw: String(number)) : buffer.append("null")
        case .boolean(let flag): buffer.append(flag ? "true" : "false")
        case .null: buffer.append("null")
        case .list(let items):
            buffer.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                item.writeJSON(to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .messages(let messages):
            messages.writeJSON(to: &buffer)
        case .map(let entries):
            buffer.append(UInt8(ascii: "{"))
            // Keys in order, so that equal maps write equal text. The entries' positions are
            // sorted in a stack buffer: sorting a copied array of the entries cost an allocation
            // and a retain and release of every key and value, a third of writing a small map.
            withUnsafeTemporaryAllocation(of: Dictionary<String, ContextValue>.Index.self, capacity: entries.count) { order in
                // The first `count` positions are initialized.
                var count = 0
                for index in entries.indices {
                    order.initializeElement(at: count, to: index)
                    count += 1
                }
                defer { order.baseAddress?.deinitialize(count: count) }
                let before: (Dictionary<String, ContextValue>.Index, Dictionary<String, ContextValue>.Index) -> Bool = {
                    entries[$0].key < entries[$1].key
                }
                if count <= 16 {
                    // Insertion sort: for the small maps most values are, cheaper than `sort`'s
                    // set-up (writing four keys took 1.10 against 0.98 us).
                    for end in 1..<max(count, 1) {
                        var slot = end
                        while slot > 0, before(order[slot], order[slot - 1]) {
                            order.swapAt(slot, slot - 1)
                            slot -= 1
                        }
                    }
                } else {
                    var sorting = order  // `sort` mutates the buffer pointer's value, not just its memory
                    sorting.sort(by: before)
                }
                for position in 0..<count {
                    if position > 0 { buffer.append(UInt8(ascii: ",")) }
                    let entry = entries[order[position]]
                    buffer.appendQuoted(entry.key)
                    buffer.append(UInt8(ascii: ":"))
                    entry.value.writeJSON(to: &buffer)
                }
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Parses JSON text (RFC 8259, strictly) into a value: objects become maps, arrays lists,
    /// numbers without a fraction or exponent integers. Throws `ContextValueJSONError` saying
    /// at which byte the text stops being JSON, or that it nests deeper than `maximumDepth`.
    public init(jsonText: String, maximumDepth: Int = ContextValue.defaultMaximumJSONDepth) throws(ContextValueJSONError) {
        var reader = JSONReader(jsonText, maximumDepth: maximumDepth)
        self = try reader.readDocument()
    }
}
