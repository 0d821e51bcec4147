import Testing
import TrellisCore

@Suite("ContextValue accessors")
struct ContextValueAccessorTests {
    @Test("each accessor answers only for its own case")
    func typedAccessors() {
        let map: ContextValue = ["name": "Ada", "n": 3, "items": [1, 2]]
        #expect(map["name"]?.string == "Ada")
        #expect(map["n"]?.integer == 3)
        #expect(map["items"]?.list == [1, 2])
        #expect(map.map?.count == 3)
        #expect(map["missing"] == nil)
        #expect(ContextValue.string("x")["key"] == nil)
        #expect(ContextValue.integer(1).string == nil)
        #expect(ContextValue.string("1").integer == nil)
        #expect(ContextValue.list([]).map == nil)
        #expect(ContextValue.map([:]).list == nil)
    }

    @Test("integer accepts a double without a fraction that fits, and nothing else")
    func integerFromDouble() {
        #expect(ContextValue.double(4).integer == 4)
        #expect(ContextValue.double(4.5).integer == nil)
        #expect(ContextValue.double(1e300).integer == nil)
        #expect(ContextValue.double(.nan).integer == nil)
        #expect(ContextValue.boolean(true).integer == nil)
    }

    @Test("literals build the matching cases; a repeated map key keeps its last value")
    func literals() {
        let value: ContextValue = ["a": 1, "a": 2]
        #expect(value == .map(["a": .integer(2)]))
        let list: ContextValue = ["s", 1, true]
        #expect(list == .list([.string("s"), .integer(1), .boolean(true)]))
    }
}
