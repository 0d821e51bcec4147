import Testing
import TrellisCore

@Suite("JSONReader")
struct JSONReaderTests {
    private func reason(_ text: String, maximumDepth: Int = ContextValue.defaultMaximumJSONDepth) -> String? {
        do {
            _ = try ContextValue(jsonText: text, maximumDepth: maximumDepth)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("objects, arrays, strings, numbers, booleans and null read as their values")
    func readsEveryKind() throws {
        let value = try ContextValue(jsonText: #" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": 0} "#)
        #expect(value == .map([
            "a": .list([.integer(1), .double(-2.5), .double(300), .boolean(true), .boolean(false), .null]),
            "b": .map(["c": .string("d")]),
            "e": .integer(0),
        ]))
    }

    @Test("objects inside objects and lists keep their own members; a repeated key keeps its last value")
    func nestedObjectsAndRepeatedKeys() throws {
        let text = #"{"a": {"b": {"c": 1}, "d": [{"e": 2}, {}, {"e": 3, "e": 4}]}, "f": 5, "a2": {"x": "y"}, "f": 6}"#
        #expect(try ContextValue(jsonText: text) == .map([
            "a": .map(["b": .map(["c": .integer(1)]), "d": .list([.map(["e": .integer(2)]), .map([:]), .map(["e": .integer(4)])])]),
            "a2": .map(["x": .string("y")]),
            "f": .integer(6),
        ]))
        #expect(reason(#"{"a": {"b": 1, "c": }}"#) == "expected a JSON value at byte 21")
        let many = "{" + (0..<40).map { #""k\#($0)": \#($0)"# }.joined(separator: ",") + "}"
        #expect(try ContextValue(jsonText: many).map?.count == 40)
    }

    @Test("whole numbers of up to 19 digits read exactly, with or without a sign")
    func integerDigits() throws {
        #expect(try ContextValue(jsonText: "999999999999999999") == .integer(999_999_999_999_999_999))
        #expect(try ContextValue(jsonText: "-999999999999999999") == .integer(-999_999_999_999_999_999))
        #expect(try ContextValue(jsonText: "9223372036854775807") == .integer(.max))
        #expect(try ContextValue(jsonText: "9223372036854775808") == .double(9.223372036854775808e18))
        #expect(try ContextValue(jsonText: "-0") == .integer(0))
        #expect(try ContextValue(jsonText: "[0, 7, -7, 1234567890]") == .list([0, 7, -7, 1_234_567_890]))
    }

    @Test("a whole number too large for Int reads as a double")
    func hugeIntegerIsDouble() throws {
        #expect(try ContextValue(jsonText: "123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try ContextValue(jsonText: "-9223372036854775808") == .integer(Int.min))
    }

    @Test("nesting up to the limit reads; one level more is refused with the limit in the reason")
    func depthLimit() throws {
        let atLimit = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        #expect(reason(atLimit, maximumDepth: 8) == nil)
        let tooDeep = String(repeating: "[", count: 9) + String(repeating: "]", count: 9)
        #expect(reason(tooDeep, maximumDepth: 8) == "JSON nested deeper than 8 levels at byte 9")
        let objects = String(repeating: #"{"k":"#, count: 9) + "1" + String(repeating: "}", count: 9)
        #expect(reason(objects, maximumDepth: 8)?.hasPrefix("JSON nested deeper than 8 levels") == true)
        // The default limit is deep enough for real documents and stops a hostile one.
        #expect(reason(String(repeating: "[", count: 100_000))?.hasPrefix("JSON nested deeper than 512 levels") == true)
    }

    @Test("unknown escapes, raw control characters and truncated \\u escapes are refused")
    func badEscapes() {
        #expect(reason(#""a\qb""#) == "invalid escape in string at byte 4")
        #expect(reason(#""\x41""#) == "invalid escape in string at byte 3")
        #expect(reason("\"a\u{01}b\"") == "control character in string at byte 3")
        #expect(reason("\"tab\there\"") == "control character in string at byte 5")
        #expect(reason(#""\u12""#)?.hasPrefix("truncated \\u escape") == true)
        #expect(reason(#""\u12"#)?.hasPrefix("truncated \\u escape") == true)
        #expect(reason(#""\u00zz""#)?.hasPrefix("invalid hex digit") == true)
        #expect(reason(#""abc"#) == "unterminated string at byte 5")
        #expect(reason(#""abc\"#)?.hasPrefix("unterminated") == true)
    }

    @Test("all short escapes decode; / may be escaped")
    func shortEscapes() throws {
        #expect(try ContextValue(jsonText: #""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try ContextValue(jsonText: #""caf\u00e9 \u00E9""#) == .string("café é"))
    }

    @Test("a surrogate pair joins into one scalar; a lone or reversed surrogate is an error")
    func surrogatePairs() throws {
        #expect(try ContextValue(jsonText: #""\ud83d\ude00""#) == .string("😀"))
        #expect(try ContextValue(jsonText: #""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
        #expect(reason(#""\ud83d""#)?.hasPrefix("unpaired surrogate") == true)
        #expect(reason(#""\ud83dx""#)?.hasPrefix("unpaired surrogate") == true)
        #expect(reason(#""\ud83d\u0041""#)?.hasPrefix("invalid low surrogate") == true)
        #expect(reason(#""\ude00\ud83d""#)?.hasPrefix("unpaired low surrogate") == true)
    }

    @Test("content after the value is refused; whitespace is not content")
    func trailingGarbage() throws {
        #expect(reason("1 2") == "unexpected content after the JSON value at byte 3")
        #expect(reason("{} x") == "unexpected content after the JSON value at byte 4")
        #expect(reason(#"{"a":1}}"#) == "unexpected content after the JSON value at byte 8")
        #expect(reason("[1],") != nil)
        #expect(try ContextValue(jsonText: " \t\r\n[1]\n ") == .list([.integer(1)]))
    }

    @Test("what lenient readers accept is refused: trailing commas, comments, quotes, bad numbers")
    func strictGrammar() {
        for text in [
            "", "   ", "[1,]", #"{"a":1,}"#, "{'a':1}", "[1 2]", #"{"a" 1}"#, "{a:1}", "// c\n1", "/* c */ 1",
            "01", "-", "-01", "+1", "1.", ".5", "1e", "1e+", "1.2.3", "0x10", "NaN", "Infinity", "-Infinity",
            "tru", "nul", "True", "[", "{", #"{"a":"#, "]",
        ] {
            #expect(reason(text) != nil, "accepted \(text.debugDescription)")
        }
    }

    @Test("reasons name the 1-based byte where the text stops being JSON")
    func positions() {
        #expect(reason("") == "unexpected end of JSON at byte 1")
        #expect(reason("[1,]") == "expected a JSON value at byte 4")
        #expect(reason(#"{"a" 1}"#) == "expected ':' at byte 6")
        #expect(reason("01") == "leading zero in number at byte 2")
    }

    @Test("numbers keep their kind: no fraction or exponent is an integer")
    func numbersKeepTheirKind() throws {
        #expect(try ContextValue(jsonText: "-0") == .integer(0))
        #expect(try ContextValue(jsonText: "1E-2") == .double(0.01))
        #expect(try ContextValue(jsonText: "2.0") == .double(2))
    }

    @Test("a number beyond a Double's range is refused, not read as infinity and written back as null (a fuzzing finding)")
    func numbersBeyondDoubleRange() throws {
        #expect(reason("-92290700090909095461e4008328953372") == "number out of range (a 64-bit float reaches ±1.8e308) at byte 1")
        #expect(reason(#"{"a":[1e309]}"#) == "number out of range (a 64-bit float reaches ±1.8e308) at byte 7")
        #expect(try ContextValue(jsonText: "1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try ContextValue(jsonText: "1e-400") == .double(0))
        #expect(try ContextValue(jsonText: "123456789012345678901234567890") == .double(1.2345678901234568e29))
    }
}

@Suite("JSON reader: locations for files people write")
struct JSONReaderLocationTests {
    @Test("members and items are located by path; repeated keys are reported")
    func locations() throws {
        let text = "{\n  \"llm\": {\"model\": \"m\", \"model\": \"n\"},\n  \"tools\": [ {\"name\": \"a\"}, 7 ]\n}"
        var reader = JSONReader(text, recordingLocations: true)
        let value = try reader.readDocument()
        #expect(value["llm"]?["model"] == "n")
        let bytes = Array(text.utf8)
        func at(_ path: String) -> String? {
            reader.locations[path].map { String(decoding: bytes[$0..<min($0 + 7, bytes.count)], as: UTF8.self) }
        }
        #expect(at("llm") == "\"llm\": ")
        #expect(at("llm.model") == "\"model\"")
        #expect(at("tools[0].name") == "\"name\":")
        #expect(at("tools[1]") == "7 ]\n}")
        #expect(reader.repeatedKeys.map(\.path) == ["llm.model"])
    }

    @Test("without recording, nothing is noted; errors carry their byte offset")
    func offsets() {
        var reader = JSONReader("{\"a\": 1}")
        _ = try? reader.readDocument()
        #expect(reader.locations.isEmpty)
        #expect(throws: ContextValueJSONError(reason: "expected ',' or '}' at byte 9", offset: 8)) {
            try ContextValue(jsonText: "{\"a\": 1 \"b\": 2}")
        }
    }
}
