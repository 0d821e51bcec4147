/// Writes a `Graph` as canonical DOT text that parses back to an equal graph.
///
/// Every node is written once with all its attributes (defaults already applied), then every
/// edge with all of its attributes, then the subgraphs with their own attributes in
/// `graph [...]` and their member ids only. No `node [...]` or `edge [...]` defaults are
/// written, so nothing is applied twice, and membership and subgraph-label classes survive.
/// Subgraphs are written in their index order (reopening a named parent when a child of it
/// comes after a sibling), so `Subgraph.parent` indices survive too.
public enum DOTWriter {
    /// The canonical DOT text of `graph`, ending with a newline.
    public static func write(_ graph: Graph) -> String {
        var out = ""
        if graph.isStrict { out += "strict " }
        out += graph.isDirected ? "digraph" : "graph"
        if let name = graph.name { out += " " + id(name) }
        out += " {\n"
        if !graph.attributes.isEmpty { out += "  graph " + attributeList(graph.attributes) + ";\n" }
        for node in graph.nodes {
            out += "  " + id(node.id)
            if !node.attributes.isEmpty { out += " " + attributeList(node.attributes) }
            out += ";\n"
        }
        let edgeOperator = graph.isDirected ? " -> " : " -- "
        for edge in graph.edges {
            out += "  " + endpoint(edge.from, port: edge.fromPort) + edgeOperator + endpoint(edge.to, port: edge.toPort)
            if !edge.attributes.isEmpty { out += " " + attributeList(edge.attributes) }
            out += ";\n"
        }
        writeSubgraphs(graph.subgraphs, into: &out)
        return out + "}\n"
    }

    /// Writes subgraphs without recursion: `open` is the chain of subgraph bodies currently open.
    private static func writeSubgraphs(_ subgraphs: [Subgraph], into out: inout String) {
        var open: [Int] = []
        var written = Set<Int>()
        for (index, subgraph) in subgraphs.enumerated() {
            var chain: [Int] = []
            var ancestor = subgraph.parent
            while let current = ancestor, current >= 0, current < subgraphs.count, !chain.contains(current) {
                chain.append(current)
                ancestor = subgraphs[current].parent
            }
            chain.reverse()
            var common = 0
            while common < open.count, common < chain.count, open[common] == chain[common] { common += 1 }
            while open.count > common {
                open.removeLast()
                out += indent(open.count + 1) + "}\n"
            }
            // A parent closed earlier is reopened by name; what it holds was written the first time.
            for reopened in chain[common...] {
                out += indent(open.count + 1) + header(subgraphs[reopened]) + "\n"
                open.append(reopened)
            }
            let padding = indent(open.count + 2)
            out += indent(open.count + 1) + header(subgraph) + "\n"
            if !written.contains(index) {
                if !subgraph.attributes.isEmpty { out += padding + "graph " + attributeList(subgraph.attributes) + ";\n" }
                if !subgraph.nodes.isEmpty { out += padding + subgraph.nodes.map(id).joined(separator: "; ") + ";\n" }
                written.insert(index)
            }
            open.append(index)
        }
        while !open.isEmpty {
            open.removeLast()
            out += indent(open.count + 1) + "}\n"
        }
    }

    private static func header(_ subgraph: Subgraph) -> String {
        subgraph.id.map { "subgraph " + id($0) + " {" } ?? "subgraph {"
    }

    private static func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }

    private static func endpoint(_ node: String, port: String?) -> String {
        guard let port else { return id(node) }
        // `port:compass` is written as two parts so Graphviz reads the compass point as one.
        if let colon = port.lastIndex(of: ":") {
            let compass = String(port[port.index(after: colon)...])
            if compassPoints.contains(compass) {
                return id(node) + ":" + id(String(port[..<colon])) + ":" + compass
            }
        }
        return id(node) + ":" + id(port)
    }

    private static let compassPoints: Set<String> = ["n", "ne", "e", "se", "s", "sw", "w", "nw", "c", "_"]

    private static func attributeList(_ attributes: Attributes) -> String {
        "[" + attributes.map { id($0.key) + "=" + value($0.value) }.joined(separator: ", ") + "]"
    }

    private static func value(_ value: AttributeValue) -> String {
        value.isHTML ? "<" + value.raw + ">" : id(value.raw)
    }

    /// `text` as a DOT ID: bare when it is a plain identifier or numeral and no keyword, quoted
    /// otherwise, or as an HTML string when quoting cannot spell it (see `isQuotable`).
    static func id(_ text: String) -> String {
        if isPlainIdentifier(text) || isNumeral(text) { return text }
        if !isQuotable(text), isBalancedHTML(text) { return "<" + text + ">" }
        var out = "\""
        var backslashes = 0
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            // The raw text keeps every backslash sequence but `\"` as written, so only quotes need escaping.
            if scalar == "\"" { out += "\\\"" } else { out.unicodeScalars.append(scalar) }
            // An odd backslash run, CR, LF would read back as one line continuation; a continuation
            // of its own between the CR and the LF keeps both (`\` then CR is a pair kept as written).
            if scalar == "\r", next == "\n", backslashes % 2 == 1 { out += "\\\n" }
            backslashes = scalar == "\\" ? backslashes + 1 : 0
        }
        return out + "\""
    }

    /// Whether the quoted form reads back as `text`. Inside quotes `\\` is a pair kept as written,
    /// `\"` a quote and backslash-newline nothing, so a run of an odd number of backslashes right
    /// before a quote, a line feed or the end would take the next byte with it. Only an HTML
    /// string can hold such text (it keeps `\"` as written), so it is written as one again
    /// (found by the `dot` fuzz target). Before a CR the run is safe: `id` spells CR LF there
    /// with a continuation between them (a later fuzzing finding: a quoted value became HTML).
    private static func isQuotable(_ text: String) -> Bool {
        var backslashes = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\\") {
                backslashes += 1
                continue
            }
            if backslashes % 2 == 1, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") { return false }
            backslashes = 0
        }
        return backslashes % 2 == 0
    }

    /// Whether `<text>` lexes as one HTML string whose value is `text`: every `<` closed by a
    /// later `>`, never a `>` too many, and no NUL.
    private static func isBalancedHTML(_ text: String) -> Bool {
        var depth = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "<"): depth += 1
            case UInt8(ascii: ">"):
                depth -= 1
                if depth < 0 { return false }
            case 0: return false
            default: break
            }
        }
        return depth == 0
    }

    private static let keywords: Set<String> = ["node", "edge", "graph", "digraph", "subgraph", "strict"]

    private static func isPlainIdentifier(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        let allowed = bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte >= 0x80
        }
        return allowed && !keywords.contains(text.lowercased())
    }

    /// `-`? then `digits [. digits*]` or `. digits`, the DOT numeral.
    private static func isNumeral(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let whole = bytes.prefix(while: isDigit)
        var rest = bytes.dropFirst(whole.count)
        guard !rest.isEmpty else { return !whole.isEmpty }
        guard rest.first == UInt8(ascii: ".") else { return false }
        rest = rest.dropFirst()
        guard rest.allSatisfy(isDigit) else { return false }
        return !whole.isEmpty || !rest.isEmpty
    }
}
