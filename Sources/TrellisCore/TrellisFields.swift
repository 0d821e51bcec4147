package import CTrellisPlugin

// Maps as `trellis_field` arrays (ABI 1.3): how the options of an LLM request cross the C ABI
// without JSON, in both directions (SDK -> host, host -> adapter). `package`, like the
// `trellis_string` helpers: both sides are built from this package.

/// A map lent to C as a `trellis_field` array, with every key and string in one buffer.
///
/// Built once and read as often as needed: the host keeps one for an operation's lifetime
/// (`reply_llm_request` lends it until the plugin replies), the SDK builds one per request.
/// Three allocations whatever the number of fields, instead of a JSON text to write and parse.
package final class TrellisFieldBuffer {
    private let bytes: UnsafeMutableRawBufferPointer
    /// The fields; their strings point into `bytes`.
    package let fields: UnsafeMutableBufferPointer<trellis_field>

    /// Lays out `values` (lists and maps as compact JSON text).
    package init(_ values: [String: ContextValue]) {
        // Container values are rare in options; their JSON is made once here.
        var texts: [String?] = []
        texts.reserveCapacity(values.count)
        var total = 0
        for (key, value) in values {
            var text: String?
            switch value {
            case .string(let string): text = string
            case .list, .messages, .map: text = value.jsonText
            default: text = nil
            }
            total += key.utf8.count + (text?.utf8.count ?? 0)
            texts.append(text)
        }
        bytes = .allocate(byteCount: max(total, 1), alignment: 1)
        fields = .allocate(capacity: values.count)
        var offset = 0
        func copy(_ text: String) -> trellis_string {
            var text = text
            let start = bytes.baseAddress! + offset
            let count = text.withUTF8 { utf8 -> Int in
                if let base = utf8.baseAddress, utf8.count > 0 { start.copyMemory(from: base, byteCount: utf8.count) }
                return utf8.count
            }
            offset += count
            return trellis_string(data: start.assumingMemoryBound(to: CChar.self), length: count)
        }
        for (index, (key, value)) in values.enumerated() {
            var field = trellis_field()
            field.key = copy(key)
            switch value {
            case .string: field.type = Int32(TRELLIS_VALUE_STRING)
            case .integer(let number): field.type = Int32(TRELLIS_VALUE_INTEGER); field.integer = Int64(number)
            case .double(let number): field.type = Int32(TRELLIS_VALUE_DOUBLE); field.number = number
            case .boolean(let flag): field.type = Int32(TRELLIS_VALUE_BOOLEAN); field.boolean = flag
            case .list, .messages: field.type = Int32(TRELLIS_VALUE_LIST)
            case .map: field.type = Int32(TRELLIS_VALUE_MAP)
            case .null: field.type = Int32(TRELLIS_VALUE_NULL)
            }
            if let text = texts[index] { field.text = copy(text) }
            (fields.baseAddress! + index).initialize(to: field)
        }
    }

    deinit {
        fields.deallocate()
        bytes.deallocate()
    }

    /// The first field, or NULL for an empty map (what C receives).
    package var base: UnsafePointer<trellis_field>? { fields.isEmpty ? nil : UnsafePointer(fields.baseAddress) }
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
    var map = [String: ContextValue](minimumCapacity: count)
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
