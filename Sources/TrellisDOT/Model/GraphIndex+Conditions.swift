extension GraphIndex {
    /// Parses each distinct edge condition once: pipelines repeat a few conditions
    /// (`outcome=success`, `outcome=fail`) on many edges.
    static func conditions(of graph: Graph) -> (
        texts: [String], parsed: [Result<ConditionExpression, ConditionSyntaxError>], numbers: [Int?]
    ) {
        var texts: [String] = []
        var parsed: [Result<ConditionExpression, ConditionSyntaxError>] = []
        var numbers: [Int?] = []
        numbers.reserveCapacity(graph.edges.count)
        var numberByText = ByteKeyTable()
        // An unsafe buffer lets the loop read each edge's attributes in place instead of copying the edge.
        graph.edges.withUnsafeBufferPointer { edges in
            for edge in edges.indices {
                guard let value = edges[edge].attributes["condition"] else {
                    numbers.append(nil)
                    continue
                }
                let (number, isNew) = numberByText.findOrInsert(value.raw)
                numbers.append(number)
                guard isNew else { continue }
                texts.append(value.raw)
                parsed.append(Result { () throws(ConditionSyntaxError) in try ConditionParser.parse(value.raw) })
            }
        }
        return (texts, parsed, numbers)
    }

    /// The edges whose condition is one of `conditionNumbers` (positions in `conditionTexts`), in edge order.
    public func edges(withConditions conditionNumbers: Set<Int>) -> [Int] {
        guard !conditionNumbers.isEmpty else { return [] }
        return edgeConditionNumbers.indices.filter { edge in
            edgeConditionNumbers[edge].map { conditionNumbers.contains($0) } ?? false
        }
    }
}
