import Foundation

extension NodeExecutor {
    /// Applies a finished node's outcome to `context`: the handler's updates first, then the keys
    /// the engine keeps (`outcome`, `preferred_label`, `last_stage` unless the handler set it,
    /// and `failure_reason` when the node failed).
    ///
    /// `preferred_label` is set when the outcome has one, and cleared (set empty) after a node
    /// without one when an earlier node's label is still there (`labelShown` tracks that), so a
    /// stale label is never read; a run whose nodes give no labels never writes the key.
    static func apply(_ outcome: Outcome, of node: CompiledNode, to context: inout Context, labelShown: inout Bool) {
        // The keys are compared while they are applied rather than looked up afterwards: two
        // hash lookups per node fewer (string hashing is a sixth of a session turn).
        var setsLastStage = false
        for (key, value) in outcome.contextUpdates {
            context[key] = value
            if key == "preferred_label" {
                labelShown = true
            } else if key == "last_stage" {
                setsLastStage = true
            }
        }
        context["outcome"] = .string(outcome.status.rawValue)
        if let label = outcome.preferredLabel, !label.isEmpty {
            context["preferred_label"] = .string(label)
            labelShown = true
        } else if labelShown {
            context["preferred_label"] = .string("")
            labelShown = false
        }
        if !setsLastStage { context["last_stage"] = node.idValue }
        if outcome.status == .fail {
            context["failure_reason"] = .string(outcome.failureReason ?? "node '\(node.spec.id)' failed without a reason")
        }
    }

    /// Writes `<run dir>/<node>/status.json` when the run keeps files. A write failure is
    /// reported as an event and does not change the node's outcome.
    func recordStatus(_ outcome: Outcome, of node: CompiledNode, duration: Duration, tries: Int) {
        guard let directory = services.runDirectory else { return }
        let nodeDirectory = directory + "/" + node.spec.id
        var updates: [String: ContextValue] = [:]
        for (key, value) in outcome.contextUpdates { updates[key] = value }
        let text = RunFiles.jsonObject([
            ("node", JSONText.quoted(node.spec.id)),
            ("type", JSONText.quoted(node.spec.type)),
            ("status", JSONText.quoted(outcome.status.rawValue)),
            ("preferred_label", outcome.preferredLabel.map(JSONText.quoted) ?? "null"),
            ("suggested_next_ids", ContextValue.list(outcome.suggestedNextIDs.map { .string($0) }).jsonText),
            ("notes", outcome.notes.map(JSONText.quoted) ?? "null"),
            ("failure_reason", outcome.failureReason.map(JSONText.quoted) ?? "null"),
            ("context_updates", ContextValue.map(updates).jsonText),
            ("executions", String(tries)),
            ("duration_ms", String(DurationText.milliseconds(duration))),
            ("finished_at", JSONText.quoted(RunFiles.timestamp())),
        ])
        // A plain write: the checkpoint, written next, is the run's record; this file is its per-node detail.
        do {
            try RunFiles.ensureDirectory(nodeDirectory)
            try RunFiles.write(text, to: nodeDirectory + "/status.json")
        } catch {
            sink?.emit(RunEvent("run_file_error", nodeID: node.spec.id, fields: ["reason": .string(error.description)]))
        }
    }

    /// Emits the node-finished event (completed, or failed with the reason).
    func emitFinished(_ outcome: Outcome, of node: CompiledNode, duration: Duration) {
        guard let sink else { return }
        var fields: [String: ContextValue] = ["status": .string(outcome.status.rawValue)]
        if let reason = outcome.failureReason { fields["reason"] = .string(reason) }
        if let label = outcome.preferredLabel { fields["preferred_label"] = .string(label) }
        sink.emit(RunEvent(outcome.status == .fail ? .nodeFailed : .nodeCompleted, nodeID: node.spec.id, duration: duration, fields: fields))
    }
}
