/// Edge selection (pipeline specification, edge selection algorithm), on the tables the
/// compiler precomputed, so a node's routing allocates nothing unless a handler asked for a
/// preferred label.
extension CompiledNode {
    /// The edge to follow after the node finished with a non-failing `outcome`, given the context
    /// with the node's updates applied; `nil` when no edge is eligible.
    ///
    /// 1. Conditional edges whose condition holds: highest weight, then lexically first target.
    /// 2. The preferred label, among unconditional edges (normalised labels, declaration order).
    /// 3. The suggested next ids in order, among unconditional edges.
    /// 4. and 5. The unconditional edge with the highest weight, then the lexically first target.
    ///
    /// Unlike the specification's pseudocode, there is no last resort that takes a conditional edge
    /// whose condition is false: a route the graph's author ruled out is never followed.
    /// Returns the position of the edge in `edges`.
    func selectEdge(for outcome: Outcome, context: Context) -> Int? {
        for position in conditionalOrder
        where edges[position].condition!.evaluate(status: outcome.status, preferredLabel: outcome.preferredLabel, context: context) {
            return position
        }
        // A label that normalises to nothing (blank) prefers nothing, like an empty one; the
        // check for labelled edges spares the normalising on nodes that have none.
        if hasLabeledUnconditionalEdge, let preferred = outcome.preferredLabel, !preferred.isEmpty,
           case let wanted = EdgeLabel.normalized(preferred), !wanted.isEmpty {
            for position in edges.indices where edges[position].condition == nil && edges[position].normalizedLabel == wanted {
                return position
            }
        }
        for suggested in outcome.suggestedNextIDs {
            for position in edges.indices where edges[position].condition == nil && edges[position].targetID == suggested {
                return position
            }
        }
        return bestUnconditional
    }

    /// The specification's last resort when no edge is eligible (`RunOptions.specRouting` only):
    /// the best of all edges by weight, then target id, even one whose condition is false.
    var lastResortEdge: Int? {
        edges.indices.min { Self.ranks(edges[$0], before: edges[$1]) }
    }

    /// The edge a failed node follows: a conditional edge that reads `outcome` and holds for the
    /// failure (`outcome=fail`, `outcome!=success`, ...), best weight then lexical target; `nil` when there is none.
    /// Unconditional edges are not failure routes: they lead where success leads.
    func failureEdge(for outcome: Outcome, context: Context) -> Int? {
        outcomeEdge(for: outcome, context: context)
    }

    /// A conditional edge that reads `outcome` and holds for `outcome`, if any (used for failures
    /// and for `retry` outcomes the graph routes explicitly).
    func outcomeEdge(for outcome: Outcome, context: Context) -> Int? {
        for position in conditionalOrder where edges[position].conditionReadsOutcome
            && edges[position].condition!.evaluate(status: outcome.status, preferredLabel: outcome.preferredLabel, context: context) {
            return position
        }
        return nil
    }
}
