import Testing
import TrellisCore

@Suite("JSON writing")
struct JSONWriterTests {
    @Test("every control character is escaped: short escapes where JSON has them, \\u00XX otherwise")
    func controlCharacters() throws {
        #expect(JSONText.quoted("a\nb\rc\td") == #""a\nb\rc\td""#)
        #expect(JSONText.quoted("\u{00}\u{01}\u{08}\u{0C}\u{1F}") == #""\u0000\u0001\u0008\u000c\u001f""#)
        #expect(JSONText.quoted(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        // DEL, non-ASCII and astral scalars need no escape in UTF-8 JSON.
        #expect(JSONText.quoted("\u{7F}é😀/") == "\"\u{7F}é😀/\"")
        #expect(JSONText.quoted("") == #""""#)
        for scalar in (0..<0x20).compactMap(Unicode.Scalar.init) {
            let quoted = JSONText.quoted("x" + String(Character(scalar)) + "y")
            #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 }, "raw U+\(scalar.value) in \(quoted)")
            #expect(try ContextValue(jsonText: quoted) == .string("x" + String(Character(scalar)) + "y"))
        }
    }

    @Test("escapes at the start, middle and end of long runs of plain text")
    func escapesBetweenRuns() {
        let plain = String(repeating: "abcdefgh", count: 8)
        #expect(JSONText.quoted("\"" + plain + "\n" + plain + "\\") == "\"\\\"" + plain + "\\n" + plain + "\\\\\"")
        #expect(JSONText.quoted(plain + "\u{1}") == "\"" + plain + "\\u0001\"")
        #expect(JSONText.quoted("\t\t") == #""\t\t""#)
    }

    @Test("appendQuoted appends to what is there")
    func appends() {
        var out = "key="
        JSONText.appendQuoted("v\"1", to: &out)
        #expect(out == #"key="v\"1""#)
    }

    @Test("values write as compact JSON with sorted keys")
    func compactSorted() {
        let value: ContextValue = ["b": [1, .double(2.5), true, .null], "a": "x", "c": [:]]
        #expect(value.jsonText == #"{"a":"x","b":[1,2.5,true,null],"c":{}}"#)
        #expect(ContextValue.double(.nan).jsonText == "null")
        #expect(ContextValue.double(-.infinity).jsonText == "null")
        #expect(ContextValue.list([]).jsonText == "[]")
        // Keys sort by their text whatever order the map keeps them in, nested maps too.
        let keys = (0..<30).map { "key\($0)" }
        let map = ContextValue.map(Dictionary(uniqueKeysWithValues: keys.map { ($0, ContextValue.map(["z": 1, "é": 2, "a": 3])) }))
        let expected = "{" + keys.sorted().map { #""\#($0)":{"a":3,"z":1,"é":2}"# }.joined(separator: ",") + "}"
        #expect(map.jsonText == expected)
    }

    @Test("writing then reading gives the same value back")
    func roundTrip() throws {
        let values: [ContextValue] = [
            .null, true, false, 0, -1, .integer(.max), .integer(.min), .double(0.1), .double(-1e300), .double(1.5e-300),
            "", "plain", "quote \" backslash \\ slash / newline \n nul \u{00} esc \u{1B}", "é 😀 \u{10FFFF} \u{FEFF}",
            .list([.list([.list([])]), .map([:])]),
            .map(["": .null, "k\"ey\n": ["nested": [1, "two", ["three": .double(3.25)]]], "😀": false]),
        ]
        for value in values {
            let text = value.jsonText
            #expect(try ContextValue(jsonText: text) == value, "round trip of \(text)")
        }
    }

    @Test("a JSON buffer writes integers in decimal, from Int.min to Int.max")
    func bufferIntegers() {
        for number in [0, 7, -7, 10, 99, 100, -1_000_000, Int.max, Int.min, Int.max - 1, Int.min + 1] {
            var buffer = JSONBuffer(capacity: 1)
            buffer.append(integer: number)
            #expect(buffer.text == String(number))
            #expect(ContextValue.integer(number).jsonText == String(number))
        }
    }

    @Test("a JSON buffer grows past its capacity and keeps every byte")
    func bufferGrows() throws {
        #expect(JSONBuffer().text == "", "nothing written is empty text")
        var buffer = JSONBuffer(capacity: 16)
        var expected = "["
        buffer.append(UInt8(ascii: "["))
        for index in 0..<500 {
            if index > 0 { buffer.append(UInt8(ascii: ",")); expected += "," }
            let text = "item \(index) \"é\"\n"
            buffer.appendQuoted(text)
            expected += JSONText.quoted(text)
        }
        buffer.append("]")
        expected += "]"
        #expect(buffer.count == expected.utf8.count)
        #expect(buffer.text == expected)
        #expect(try ContextValue(jsonText: buffer.text).list?.count == 500)
    }

    @Test("stringValue: strings as is, scalars spelled, null empty, containers as JSON")
    func stringValue() {
        #expect(ContextValue.string("a\"b").stringValue == "a\"b")
        #expect(ContextValue.integer(42).stringValue == "42")
        #expect(ContextValue.double(2.5).stringValue == "2.5")
        #expect(ContextValue.boolean(false).stringValue == "false")
        #expect(ContextValue.null.stringValue == "")
        #expect(ContextValue.list(["a"]).stringValue == #"["a"]"#)
    }
}
