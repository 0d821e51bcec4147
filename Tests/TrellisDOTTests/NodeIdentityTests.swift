import Testing
@testable import TrellisDOT

/// The parser finds nodes by the bytes of their ids, taking a shortcut when the bytes as
/// written are the id. These tests pin down that every spelling of one id names one node.
@Suite("Node identity")
struct NodeIdentityTests {
    @Test("a bare id, the same id quoted, and the same id joined with + are one node")
    func spellingsOfOneID() throws {
        let graph = try DOTGrammarTests.graph(#"digraph { ab -> "ab"; "a" + "b" -> c; "ab" [label=x] }"#)
        #expect(graph.nodes.map(\.id) == ["ab", "c"])
        #expect(graph.edges.map { "\($0.from)>\($0.to)" } == ["ab>ab", "ab>c"])
        #expect(graph.node("ab")?.attributes.raw("label") == "x")
    }

    @Test("an id with an escaped quote is found by its value, not by its bytes")
    func escapedQuote() throws {
        let graph = try DOTGrammarTests.graph(#"digraph { "say \"hi\"" -> b; "say \"hi\"" [shape=box] }"#)
        #expect(graph.nodes.map(\.id) == [#"say "hi""#, "b"])
        #expect(graph.node(#"say "hi""#)?.attributes.raw("shape") == "box")
    }

    @Test("a line continuation inside a quoted id is removed before the lookup")
    func continuedID() throws {
        let graph = try DOTGrammarTests.graph("digraph { \"long\\\nname\" -> longname }")
        #expect(graph.nodes.map(\.id) == ["longname"])
        #expect(graph.edges.count == 1)
    }

    @Test("ids in a file that is not ASCII are looked up by their text")
    func nonASCII() throws {
        let graph = try DOTGrammarTests.graph(#"digraph { Ünïcode -> "Ünïcode" -> 東京; 東京 [label="東京駅"] }"#)
        #expect(graph.nodes.map(\.id) == ["Ünïcode", "東京"])
        #expect(graph.index(of: "東京") == 1)
        #expect(graph.node("東京")?.attributes.raw("label") == "東京駅")
    }

    @Test("attribute names spelled quoted and bare are one key")
    func attributeNames() throws {
        let graph = try DOTGrammarTests.graph(#"digraph { a [label=one, "label"=two, "lab" + "el"=three] }"#)
        #expect(graph.node("a")?.attributes.count == 1)
        #expect(graph.node("a")?.attributes.raw("label") == "three")
    }

    @Test("edges from code, and edges whose ends were renamed, are indexed by id")
    func edgesWithoutParserPositions() throws {
        var graph = try DOTGrammarTests.graph("digraph { a -> b; c }")
        graph.edges[0].to = "c"
        graph.edges.append(GraphEdge(from: "c", to: "a"))
        let index = GraphIndex(graph)
        #expect(index.edgeTails == [0, 2])
        #expect(index.edgeHeads == [2, 0])
    }
}

/// The byte-keyed table that numbers node ids and attribute names.
@Suite("Byte key table")
struct ByteKeyTableTests {
    @Test("keys are numbered in insertion order and found again, through many growths")
    func numbering() {
        var table = ByteKeyTable()
        for number in 0..<5_000 {
            let inserted = table.findOrInsert("key\(number)")
            #expect(inserted.number == number && inserted.inserted)
        }
        #expect(table.count == 5_000)
        for number in stride(from: 0, to: 5_000, by: 7) {
            #expect(table.find("key\(number)") == number)
            #expect(table.findOrInsert("key\(number)") == (number, false))
        }
        #expect(table.find("key5000") == nil)
    }

    @Test("keys of every length up to 40 bytes, including empty and ones sharing prefixes and suffixes")
    func lengths() {
        var table = ByteKeyTable()
        var keys: [String] = [""]
        for length in 1...40 {
            keys.append(String(repeating: "a", count: length))
            keys.append(String(repeating: "a", count: length - 1) + "b")
            keys.append("c" + String(repeating: "a", count: length - 1))
        }
        for (number, key) in keys.enumerated() { #expect(table.findOrInsert(key).number == number) }
        for (number, key) in keys.enumerated() { #expect(table.find(key) == number, "\(key)") }
    }

    @Test("lookups by bytes and by String agree")
    func bytesAndStrings() {
        var table = ByteKeyTable()
        let bytes = Array("stage_42".utf8)
        let number = bytes.withUnsafeBytes { table.findOrInsert($0).number }
        #expect(table.find("stage_42") == number)
        #expect(Array("stage_4".utf8).withUnsafeBytes { table.find($0) } == nil)
    }
}

/// Locations hold their file as a number and 32-bit positions.
@Suite("Source locations")
struct SourceLocationTests {
    @Test("the file name comes back as given, and equal places are equal")
    func fileName() {
        let path = "/some/rather/long/path/to/a/pipeline/graph.dot"
        let location = SourceLocation(file: path, line: 3, column: 14)
        #expect(location.file == path)
        #expect(location.description == "\(path):3:14")
        #expect(location == SourceLocation(file: path, line: 3, column: 14))
        #expect(location != SourceLocation(file: path + "x", line: 3, column: 14))
    }

    @Test("positions beyond 32 bits are clamped, never a crash")
    func clamping() {
        var location = SourceLocation(file: "f.dot", line: Int.max, column: -5)
        #expect(location.line == Int(UInt32.max))
        #expect(location.column == 0)
        location.line = 12
        #expect(location.line == 12)
    }
}
