public import CTrellisPlugin

// Maps as `trellis_field` arrays (ABI 1.3): how the options of an LLM request cross the C ABI
// without JSON, in both directions (SDK -> host, host -> adapter). `package`, like the
// `trellis_string` helpers: both sides are built from this package.

/// A map lent to C as a `trellis_field` array, with every key and string in one buffer.
///
/// Built once and read as often as needed: the host keeps one for an operation's lifetime
/// (`reply_llm_request` lends it until the plugin replies). Three allocations whatever the
/// number of fields, instead of a JSON text to write and parse; `withTrellisFields` lends a
/// map for one call without any.
package final class TrellisFieldBuffer {
    private let bytes: UnsafeMutableRawBufferPointer
    /// The fields; their strings point into `bytes`.
    package let fields: UnsafeMutableBufferPointer<trellis_field>

    /// Lays out `values` (lists and maps as compact JSON text).
    package init(_ values: [String: ContextValue]) {
        let layout = TrellisFieldLayout(values)
        bytes = .allocate(byteCount: max(layout.byteCount, 1), alignment: 1)
        fields = .allocate(capacity: values.count)
        layout.write(values, into: fields.baseAddress!, bytes: bytes.baseAddress!)
    }

    deinit {
        fields.deallocate()
        bytes.deallocate()
    }

    /// The first field, or NULL for an empty map (what C receives).
    package var base: UnsafePointer<trellis_field>? { fields.isEmpty ? nil : UnsafePointer(fields.baseAddress) }
}

/// Lends `values` to `body` as `trellis_field`s (NULL and 0 for an empty map), laid out in
/// temporary storage (on the stack when small) that lives only during `body`: what a node
/// hands the host for one call (an LLM request's options, a memory entry) allocates nothing.
/// Inlinable, so that the SDK's calls are specialized: unspecialized across the module
/// boundary, its closures cost more than the buffer's allocations they save.
@inlinable
package func withTrellisFields<Result>(_ values: [String: ContextValue],
                                      _ body: (UnsafePointer<trellis_field>?, Int) throws -> Result) rethrows -> Result {
    guard !values.isEmpty else { return try body(nil, 0) }
    let layout = TrellisFieldLayout(values)
    return try withUnsafeTemporaryAllocation(of: trellis_field.self, capacity: values.count) { fields in
        try withUnsafeTemporaryAllocation(byteCount: max(layout.byteCount, 1), alignment: 1) { bytes in
            layout.write(values, into: fields.baseAddress!, bytes: bytes.baseAddress!)
            return try body(UnsafePointer(fields.baseAddress!), values.count)
        }
    }
}

/// How a map's fields are laid out: the bytes its keys and texts take, and the JSON text of its
/// list and map values (rare in options and entries, so the common map needs no array of texts).
@usableFromInline
package struct TrellisFieldLayout {
    /// The JSON texts of the list and map values, in the map's order.
    @usableFromInline let containerTexts: [String]
    /// The bytes all keys and texts take.
    @usableFromInline let byteCount: Int

    @usableFromInline
    init(_ values: [String: ContextValue]) {
        var texts: [String] = []
        var total = 0
        for (key, value) in values {
            total += key.utf8.count
            switch value {
            case .string(let string): total += string.utf8.count
            case .list, .messages, .map:
                let json = value.jsonText
                total += json.utf8.count
                texts.append(json)
            default: break
            }
        }
        containerTexts = texts
        byteCount = total
    }

    /// Writes the fields of `values` (the map this layout was made of, unchanged) to `fields`,
    /// their strings into `bytes` (at least `byteCount` of them).
    @usableFromInline
    func write(_ values: [String: ContextValue], into fields: UnsafeMutablePointer<trellis_field>, bytes: UnsafeMutableRawPointer) {
        var offset = 0
        func copy(_ text: String) -> trellis_string {
            var text = text
            let start = bytes + offset
            let count = text.withUTF8 { utf8 -> Int in
                if let base = utf8.baseAddress, utf8.count > 0 { start.copyMemory(from: base, byteCount: utf8.count) }
                return utf8.count
            }
            offset += count
            return trellis_string(data: start.assumingMemoryBound(to: CChar.self), length: count)
        }
        var nextContainer = 0
        for (index, (key, value)) in values.enumerated() {
            var field = trellis_field()
            field.key = copy(key)
            switch value {
            case .string(let text): field.type = Int32(TRELLIS_VALUE_STRING); field.text = copy(text)
            case .integer(let number): field.type = Int32(TRELLIS_VALUE_INTEGER); field.integer = Int64(number)
            case .double(let number): field.type = Int32(TRELLIS_VALUE_DOUBLE); field.number = number
            case .boolean(let flag): field.type = Int32(TRELLIS_VALUE_BOOLEAN); field.boolean = flag
            case .list, .messages, .map:
                if case .map = value { field.type = Int32(TRELLIS_VALUE_MAP) } else { field.type = Int32(TRELLIS_VALUE_LIST) }
                field.text = copy(containerTexts[nextContainer])
                nextContainer += 1
            case .null: field.type = Int32(TRELLIS_VALUE_NULL)
            }
            (fields + index).initialize(to: field)
        }
    }
}

/// Why a `trellis_field` array could not be read.
package struct TrellisFieldError: Error, Sendable {
    /// What was wrong, naming the field.
    package let message: String
}

/// Reads `count` fields at `fields` into a map. Strings must be valid UTF-8 and LIST/MAP
/// texts valid JSON of that kind (at most `maximumDepth` deep); an unknown type is refused.
package func contextMap(fields: UnsafePointer<trellis_field>?, count: Int,
                        maximumDepth: Int = ContextValue.defaultMaximumJSONDepth) throws(TrellisFieldError) -> [String: ContextValue] {
    guard count > 0 else { return [:] }
    guard let fields else { throw TrellisFieldError(message: "\(count) fields announced at a NULL pointer") }
    // Sized once: grown key by key, a map of a few fields was reallocated several times.
    var map = [String: ContextValue].empty(roomFor: count)
    for index in 0..<count {
        let field = fields[index]
        guard let key = field.key.validatedString else { throw TrellisFieldError(message: "field #\(index + 1) has a key that is not valid UTF-8") }
        let value: ContextValue
        switch Int32(field.type) {
        case Int32(TRELLIS_VALUE_STRING):
            guard let text = field.text.validatedString else { throw TrellisFieldError(message: "field '\(key)' is not valid UTF-8") }
            value = .string(text)
        case Int32(TRELLIS_VALUE_INTEGER): value = .integer(Int(field.integer))
        case Int32(TRELLIS_VALUE_DOUBLE): value = .double(field.number)
        case Int32(TRELLIS_VALUE_BOOLEAN): value = .boolean(field.boolean)
        case Int32(TRELLIS_VALUE_NULL): value = .null
        case Int32(TRELLIS_VALUE_LIST), Int32(TRELLIS_VALUE_MAP):
            guard let text = field.text.validatedString else { throw TrellisFieldError(message: "field '\(key)' is not valid UTF-8") }
            let parsed: ContextValue
            do { parsed = try ContextValue(jsonText: text, maximumDepth: maximumDepth) } catch {
                throw TrellisFieldError(message: "field '\(key)' is not valid JSON: \(error.reason)")
            }
            switch (Int32(field.type), parsed) {
            case (Int32(TRELLIS_VALUE_LIST), .list), (Int32(TRELLIS_VALUE_MAP), .map): value = parsed
            default: throw TrellisFieldError(message: "field '\(key)' is typed \(field.type == TRELLIS_VALUE_LIST ? "LIST" : "MAP") but its JSON is \(parsed.jsonText)")
            }
        default:
            throw TrellisFieldError(message: "field '\(key)' has unknown type \(field.type)")
        }
        map[key] = value
    }
    return map
}
