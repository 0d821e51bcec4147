import TrellisDOT

/// Runs single nodes for a run (and for its parallel branches): one handler call per attempt,
/// the node's timeout, retries with backoff, and the engine's own node roles (parallel fan-out,
/// manager loop). Holds only what every node of the run shares, so branches copy it freely.
struct NodeExecutor: Sendable {
    /// The graph being run.
    let graph: CompiledGraph
    /// The run's adapters.
    let adapters: AdapterSet
    /// The run's services; `runDirectory` is the directory node artifacts go to now.
    let services: RunServices
    /// Where events go; `nil` when nobody listens, so the hot path builds no events.
    let sink: (any EventSink)?
    /// The step limit (branches and child pipelines honour it too).
    let maxSteps: Int

    /// The result of one attempt.
    enum Attempt: Sendable {
        /// The handler returned an outcome.
        case returned(Outcome)
        /// The handler threw (a possibly transient error: retried while attempts remain).
        case threw(String)
        /// The node's timeout expired; the handler's task was cancelled and has ended.
        case timedOut(Duration)
        /// The run itself was cancelled.
        case cancelled
    }

    /// Runs `node` with its retry policy against `context`, which receives the retry counter
    /// updates (`internal.retry_count.<id>`). `tries` counts the node's executions so far and is advanced.
    /// Returns the final outcome, or `nil` when the run was cancelled.
    func run(_ node: CompiledNode, context: inout Context, tries: inout Int) async -> Outcome? {
        let first = await attempt(node, context: context, tries: tries)
        tries += 1
        return await settle(node, after: first, context: &context, tries: &tries)
    }

    /// Finishes a node whose first attempt gave `first`: returns a final outcome, or runs the
    /// further attempts the retry policy allows. `tries` already counts the first attempt.
    func settle(_ node: CompiledNode, after first: Attempt, context: inout Context, tries: inout Int) async -> Outcome? {
        var attempt = 1
        var result = first
        while true {
            let retryReason: String
            switch result {
            case .cancelled:
                return nil
            case .timedOut(let limit):
                return Outcome.failure("node '\(node.spec.id)' (type '\(node.spec.type)') timed out after \(DurationText.describe(limit))")
            case .threw(let reason):
                guard attempt < node.retry.maxAttempts else {
                    return Outcome.failure(reason)
                }
                retryReason = reason
            case .returned(let outcome):
                switch outcome.status {
                case .success, .partialSuccess, .skipped, .fail:
                    return outcome
                case .retry:
                    // The graph routes this retry itself (an edge on outcome=retry): follow it rather than repeat in place.
                    var updated = context
                    updated.apply(outcome.contextUpdates)
                    if node.outcomeEdge(for: outcome, context: updated) != nil { return outcome }
                    guard attempt < node.retry.maxAttempts else {
                        let reason = "node '\(node.spec.id)' asked to be retried but its \(node.retry.maxAttempts) attempt(s) are used up"
                            + (outcome.failureReason.map { ": \($0)" } ?? "")
                        if node.allowPartial {
                            var partial = outcome
                            partial.status = .partialSuccess
                            partial.notes = reason + "; partial success accepted (allow_partial)"
                            partial.failureReason = nil
                            return partial
                        }
                        var failed = outcome
                        failed.status = .fail
                        failed.failureReason = reason
                        return failed
                    }
                    retryReason = outcome.failureReason ?? "the handler asked to be retried"
                }
            }
            let delay = node.retry.backoff.delay(forRetry: attempt)
            attempt += 1
            let count = (context[node.retryCountKey].flatMap { if case .integer(let value) = $0 { value } else { nil } } ?? 0) + 1
            context[node.retryCountKey] = .integer(count)
            sink?.emit(RunEvent(.nodeRetrying, nodeID: node.spec.id, fields: [
                "attempt": .integer(attempt), "delay_ms": .double(DurationText.milliseconds(delay)), "reason": .string(retryReason),
            ]))
            do {
                try await Task.sleep(for: delay)
            } catch {
                return nil
            }
            result = await self.attempt(node, context: context, tries: tries)
            tries += 1
        }
    }

    /// The request for one attempt of `node`: its spec (with `${context.key}` references in the
    /// prompt expanded when it has any), the context, and the run's adapters and services.
    @inline(__always)
    func request(for node: CompiledNode, context: Context, tries: Int) -> HandlerRequest {
        guard node.expandsContextInPrompt, let prompt = node.spec.attributes["prompt"] else {
            return HandlerRequest(node: node.spec, context: context, adapters: adapters, services: services, attempt: tries)
        }
        var spec = node.spec
        spec.attributes["prompt"] = AttributeValue(
            PromptExpansion.expandingContext(in: prompt.raw, context: context), isHTML: prompt.isHTML, location: prompt.location)
        return HandlerRequest(node: spec, context: context, adapters: adapters, services: services, attempt: tries)
    }

    /// One call of the node's handler (or the engine's role for it), raced against its timeout.
    @inline(__always)
    func attempt(_ node: CompiledNode, context: Context, tries: Int) async -> Attempt {
        let request = request(for: node, context: context, tries: tries)
        guard let limit = node.timeout else {
            do {
                let outcome = try await perform(node, request)
                // A handler that turns cancellation into an outcome must not have it recorded as the node's result.
                return Task.isCancelled ? .cancelled : .returned(outcome)
            } catch {
                return Task.isCancelled ? .cancelled : .threw(Self.describe(error, node: node))
            }
        }
        let raced = await withTaskGroup(of: Attempt?.self) { group in
            group.addTask {
                do {
                    return .returned(try await self.perform(node, request))
                } catch {
                    return Task.isCancelled ? nil : .threw(Self.describe(error, node: node))
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                    return .timedOut(limit)
                } catch {
                    return nil
                }
            }
            let first = await group.next() ?? nil
            // Cancel the loser; leaving the group waits until the handler's task has really ended.
            group.cancelAll()
            return first ?? .cancelled
        }
        return Task.isCancelled ? .cancelled : raced
    }

    /// Calls the handler, or runs the engine's part for parallel and manager-loop nodes.
    @inline(__always)
    private func perform(_ node: CompiledNode, _ request: HandlerRequest) async throws -> Outcome {
        switch node.role {
        case .plain, .exit:
            return try await node.handler.execute(request)
        case .parallel(let join, _):
            return await runParallel(node, join: join, request: request)
        case .managerLoop:
            return await runManagerLoop(node, request: request)
        }
    }

    /// The failure reason for an error a handler threw.
    static func describe(_ error: any Error, node: CompiledNode) -> String {
        let text = "\(error)"
        return "node '\(node.spec.id)' failed: " + (text.isEmpty ? String(describing: type(of: error)) : text)
    }
}
