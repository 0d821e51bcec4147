import Testing
import TrellisCore

/// A map made from a `ContextMapTemplate` is the map the same literal would give.
@Suite("Context map template")
struct ContextMapTemplateTests {
    @Test("every arity puts each value under its own key")
    func madeMapsEqualLiterals() {
        #expect(ContextMapTemplate("a").make(.string("x")) == ["a": .string("x")])
        #expect(ContextMapTemplate("a", "b").make(.integer(1), .null) == ["a": .integer(1), "b": .null])
        let four = ContextMapTemplate("input", "response", "input_type", "turn")
        #expect(four.make(.string("hi"), .string("hello"), .string("query"), .integer(7))
            == ["input": .string("hi"), "response": .string("hello"), "input_type": .string("query"), "turn": .integer(7)])
        let five = ContextMapTemplate("e", "d", "c", "b", "a")
        #expect(five.make(1, 2, 3, 4, 5) == ["e": 1, "d": 2, "c": 3, "b": 4, "a": 5])
    }

    @Test("the values may be the positions themselves, and made maps are independent")
    func positionsAreNotConfusedWithValues() {
        let template = ContextMapTemplate("first", "second")
        var made = template.make(.integer(1), .integer(0))
        #expect(made == ["first": .integer(1), "second": .integer(0)])
        made["third"] = .boolean(true)
        #expect(template.make(.null, .null) == ["first": .null, "second": .null])
    }

    @Test("keys added to a made map are kept with the template's")
    func extraKeys() {
        var options = ContextMapTemplate("a", "b", extraCapacity: 2).make(.string("1"), .string("2"))
        options["system"] = .string("be brief")
        options["reasoning_effort"] = .string("low")
        #expect(options == ["a": .string("1"), "b": .string("2"), "system": .string("be brief"), "reasoning_effort": .string("low")])
    }
}
