import CTrellisPlugin
import Testing
import TrellisCore

/// Maps as `trellis_field` arrays: what a node lays out, the host reads back as the same map,
/// whether the fields live in a `TrellisFieldBuffer` or in `withTrellisFields`' temporary storage.
@Suite("TrellisFields")
struct TrellisFieldsTests {
    /// Every kind of value a field carries, with texts long enough to need heap storage as
    /// Swift strings, non-ASCII text and an empty string.
    static let everyKind: [String: ContextValue] = [
        "cognitive_mode": .string("reflective, with a longer text than fits in a small string"),
        "greeting": .string("grüß dich, 世界"),
        "empty": .string(""),
        "memories_recalled": .integer(-3),
        "temperature": .double(0.25),
        "stream": .boolean(true),
        "nothing": .null,
        "tags": .list([.string("a"), .integer(1)]),
        "usage": .map(["input": .integer(12), "output": .integer(34)]),
    ]

    @Test("a map laid out in temporary storage reads back as the same map, lists and maps as JSON")
    func temporaryFieldsRoundTrip() throws {
        let read = try withTrellisFields(Self.everyKind) { fields, count in
            #expect(count == Self.everyKind.count)
            return try contextMap(fields: fields, count: count)
        }
        #expect(read == Self.everyKind)
    }

    @Test("a TrellisFieldBuffer and temporary storage lay out the same fields")
    func bufferAndTemporaryAgree() throws {
        let buffer = TrellisFieldBuffer(Self.everyKind)
        let fromBuffer = try contextMap(fields: buffer.base, count: buffer.fields.count)
        #expect(fromBuffer == Self.everyKind)
        let types = withTrellisFields(Self.everyKind) { fields, count in
            (0..<count).map { index in fields![index].type }
        }
        #expect(types == buffer.fields.map(\.type))
    }

    @Test("an empty map is lent as NULL and no fields")
    func emptyMapIsNull() throws {
        let lent = withTrellisFields([:]) { fields, count in (fields == nil, count) }
        #expect(lent == (true, 0))
        #expect(try contextMap(fields: nil, count: 0).isEmpty)
    }
}
