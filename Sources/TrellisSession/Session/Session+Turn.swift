import TrellisEngine

extension Session {
    /// Runs one turn for `message` and returns the reply.
    ///
    /// Turns run one at a time in arrival order. A message that arrives during a turn waits
    /// (`enqueue`), is refused (`reject`: `SessionError.busy`) or cancels the running turn
    /// (`interrupt`: that turn fails with `SessionError.interrupted`). A failed run throws
    /// `SessionError.turnFailed` and leaves the session idle and usable; nothing is appended.
    ///
    /// Arrival order is the order in which messages reach the actor; a caller that hands
    /// messages to separate tasks (a server reading a stream) fixes the order first with
    /// `admit()` and passes the ticket here.
    public func send(_ message: String, ticket: UInt64? = nil) async throws(SessionError) -> TurnReply {
        if let ticket { await waitForTicket(ticket) }
        guard !stopped, !stopPending else { throw SessionError.stopped("session '\(id)' is stopped; create a new session") }
        if turnRunning {
            switch turnPolicy {
            case .reject:
                throw SessionError.busy("session '\(id)' is busy with a turn and its turn_policy is 'reject'; retry when it is idle")
            case .interrupt:
                // Decided on arrival: a turn that has not reached its run yet (it yields
                // first) is cancelled as soon as it registers.
                if let runningTurn { runningTurn.cancel() } else { interruptPending = true }
            case .enqueue:
                break
            }
            status.update { $0.queuedTurns += 1 }
            await withCheckedContinuation { waiting.append($0) }
            status.update { $0.queuedTurns -= 1 }
            guard !stopped else {
                handOver()
                throw SessionError.stopped("session '\(id)' was stopped before this message's turn")
            }
        }
        turnRunning = true
        interruptPending = false
        defer { handOver() }
        // A turn whose adapters answer at once never suspends, and a task that never suspends
        // keeps its pool thread: sessions sending back to back would starve every other task
        // (other sessions, the heartbeat scheduler, the graph watcher). A yield puts the
        // session back in the queue behind them. It costs a thread hand-off (more than a fast
        // turn), so it happens once per `fairnessSlice` of a session's turns rather than on
        // every turn: other tasks still wait at most a slice per busy session.
        let now = ContinuousClock.now
        if now - lastYield >= Self.fairnessSlice {
            lastYield = now
            await Task.yield()
        }
        return try await runTurn(message)
    }

    /// Takes the next arrival ticket, synchronously: messages sent with tickets are admitted
    /// in ticket order, whatever order their tasks reach the actor in. Every ticket must be
    /// passed to `send` exactly once.
    public nonisolated func admit() -> UInt64 { status.takeTicket() }

    /// Uses up `ticket` without a turn (a message refused after it was admitted), so the
    /// messages admitted after it are not held back.
    public func skip(ticket: UInt64) async { await waitForTicket(ticket) }

    func waitForTicket(_ ticket: UInt64) async {
        if ticket != nextTicket {
            await withCheckedContinuation { ticketWaiters[ticket] = $0 }
        }
        nextTicket = ticket + 1
        ticketWaiters.removeValue(forKey: nextTicket)?.resume()
    }

    /// Passes the turn slot to the oldest waiting message, or frees it.
    private func handOver() {
        if waiting.isEmpty {
            turnRunning = false
            let idle = idleWaiters
            idleWaiters.removeAll()
            for waiter in idle { waiter.resume() }
        } else {
            waiting.removeFirst().resume()
        }
    }

    private func runTurn(_ message: String) async throws(SessionError) -> TurnReply {
        let clock = ContinuousClock()
        let started = clock.now
        let generation = graphs.current
        followPluginAdapters(to: generation.turn)
        let turnNumber = status.snapshot.turnCount + 1
        status.setPhase(.processing)
        events.publish(event("turn_started", ["turn": .integer(turnNumber), "input": .string(message),
                                              "graph_generation": .integer(Int(generation.number))]))
        let seededCount = conversation.count
        // The context is built in the argument so that no local keeps a reference to the
        // message buffer once the run is over (an append would then copy the whole history).
        let usage = TurnUsage()
        var (result, interrupted) = await TurnUsage.$current.withValue(usage) {
            await execute(generation.turn, context: turnContext(message))
        }

        guard result.status == .success || result.status == .partialSuccess else {
            status.setPhase(.idle)
            let reason = result.failureReason ?? "the turn graph ended with status \(result.status.rawValue)"
            events.publish(event("turn_failed", ["turn": .integer(turnNumber), "error": .string(reason),
                                                 "node_timings": Self.timings(result.nodeTimings)]))
            if interrupted {
                throw SessionError.interrupted("turn \(turnNumber) of session '\(id)' was interrupted: \(reason)")
            }
            throw SessionError.turnFailed("turn \(turnNumber) of session '\(id)' failed: \(reason)")
        }
        let outcome = Self.takeOutcome(of: &result, seededCount: seededCount)
        let record = apply(outcome, message: message, nodeTimings: result.nodeTimings, turnNumber: turnNumber, started: started)
        if let store {
            do {
                try await store.record(record)
            } catch {
                status.setPhase(.idle)
                events.publish(event("store_failed", ["turn": .integer(turnNumber), "error": .string(error.description)]))
                throw error
            }
        }
        let latency = clock.now - started
        status.setPhase(.idle)
        events.publish(event("turn_completed", [
            "turn": .integer(turnNumber), "latency_us": .integer(latency.wholeMicroseconds),
            "node_timings": Self.timings(result.nodeTimings), "graph_generation": .integer(Int(generation.number)),
            "registry_generation": .integer(Int(generation.turn.registryGeneration)),
            "adapter_plugin_generation": currentAdapters.pluginGeneration.map { .integer(Int($0)) } ?? .null,
            "usage": usage.value.contextValue,
        ]))
        return TurnReply(reply: record.reply, turnCount: turnNumber, latency: latency, nodeTimings: result.nodeTimings,
                         usage: usage.value)
    }

    /// Runs `graph`; with the `interrupt` policy in a child task another message can cancel.
    /// `interrupted` is true only when a newer message cancelled the run: a handler whose own
    /// failure mentions cancellation is an ordinary failed turn, not an interruption.
    private func execute(_ graph: CompiledGraph, context: consuming Context) async -> (result: RunResult, interrupted: Bool) {
        let engine = self.engine
        let adapters = turnAdapters
        let services = Self.runServices
        let checkpoint = self.adapters.checkpoint
        // Moved, not copied, into the run (taken exactly once; `take()` leaves nil behind):
        // the engine then owns the only copy of the seeded dictionary and adds its keys
        // without copying every value.
        var pending: Context? = consume context
        guard turnPolicy == .interrupt else {
            let result = await SessionCheckpointing.$adapter.withValue(checkpoint) {
                await engine.run(graph, context: pending.take()!, adapters: adapters, services: services)
            }
            return (result, false)
        }
        let context = pending.take()!
        let task = Task {
            await SessionCheckpointing.$adapter.withValue(checkpoint) {
                await engine.run(graph, context: context, adapters: adapters, services: services)
            }
        }
        runningTurn = task
        if interruptPending {
            interruptPending = false
            task.cancel()
        }
        let result = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        runningTurn = nil
        interruptPending = false
        if task.isCancelled && result.status != .success {
            let interrupted = RunResult(status: .fail, context: result.context, completedNodes: result.completedNodes,
                                        failureReason: "cancelled by a newer message (turn_policy 'interrupt')",
                                        nodeTimings: result.nodeTimings)
            return (interrupted, true)
        }
        return (result, false)
    }

    private func turnContext(_ message: String) -> Context {
        var context = seed(runKind: "turn", phase: .processing)
        context[SessionKeys.input] = .string(message)
        return context
    }

    /// What a successful run produced for the session.
    private struct RunOutcome {
        var reply: String
        var addedMessages: [ContextValue]
        var workingMemory: ContextValue?
    }

    /// Takes the reply, the messages the graph added and the working memory out of `result`,
    /// and empties its context: the run must hold no reference to the session's message buffer
    /// when the turn's messages are appended, or the append copies the whole history. The graph's
    /// messages are the session's own when built in, or a list when a plugin node wrote them.
    private static func takeOutcome(of result: inout RunResult, seededCount: Int) -> RunOutcome {
        let context = result.context
        result.context = Context()
        var added: [ContextValue] = []
        switch context[SessionKeys.messages] {
        case .messages(let graphMessages)? where graphMessages.count > seededCount: added = Array(graphMessages[seededCount...])
        case .list(let graphMessages)? where graphMessages.count > seededCount: added = Array(graphMessages[seededCount...])
        default: break
        }
        return RunOutcome(reply: context.string(SessionKeys.response), addedMessages: added,
                          workingMemory: context[SessionKeys.workingMemory])
    }

    /// Applies a successful run: reply, messages (user, tool messages the graph added, assistant),
    /// working memory when the graph changed it, turn count, window. Returns what to persist.
    private func apply(
        _ outcome: RunOutcome, message: String, nodeTimings: [NodeTiming], turnNumber: Int, started: ContinuousClock.Instant
    ) -> TurnRecord {
        let reply = outcome.reply
        let added = outcome.addedMessages
        let newMemory = outcome.workingMemory
        let firstSequence = messageSequence
        conversation.append(role: "user", content: message)
        conversation.append(contentsOf: added)
        conversation.append(role: "assistant", content: reply)
        messageSequence += added.count + 2
        var memoryChanged: ContextValue?
        if let newMemory, newMemory != workingMemory {
            workingMemory = newMemory
            memoryChanged = newMemory
        }
        status.update { $0.turnCount = turnNumber }
        var windowChange: (summary: ContextValue?, start: Int)?
        if window.maxMessages != nil {
            var summary = hasSummary
            if window.trim(&conversation, hasSummary: &summary) > 0 {
                hasSummary = summary
                windowChange = (hasSummary ? conversation.first : nil, messageSequence - (conversation.count - (hasSummary ? 1 : 0)))
            }
        }
        let clock = ContinuousClock()
        return TurnRecord(
            sessionID: id, turn: turnNumber, input: message, reply: reply, addedMessages: added,
            firstSequence: firstSequence, workingMemory: memoryChanged, window: windowChange,
            latencyMicroseconds: (clock.now - started).wholeMicroseconds,
            nodeTimings: store == nil ? [] : nodeTimings)
    }

    /// The timings as events carry them: `{node, status, us}` maps (the journal's JSON is
    /// `TurnRecord.nodeTimingsJSON`, the same shape).
    static func timings(_ timings: [NodeTiming]) -> ContextValue {
        .list(timings.map { timing in
            .map(["node": .string(timing.nodeID), "status": .string(timing.status.rawValue),
                  "us": .integer(timing.duration.wholeMicroseconds)])
        })
    }
}
