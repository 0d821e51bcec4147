import TrellisEngine

extension Session {
    /// Starts a heartbeat unless one is in flight or the session has no heartbeat graph.
    /// Returns at once: the heartbeat graph runs in its own task, outside the actor, so it
    /// never blocks or delays turns; its result is applied to the session afterwards.
    ///
    /// On a shared store the heartbeat runs only after the database confirms this host still
    /// holds the session's lease, unexpired: heartbeats run on the owner alone, and a host
    /// whose lease was taken over drops the session at its next heartbeat instead of running
    /// one (the fenced write would refuse its result, but the graph — a model call, tools —
    /// would have run).
    @discardableResult
    public nonisolated func triggerHeartbeat() -> Bool {
        guard !isStopped, let graph = graphs.current.heartbeat, status.claimHeartbeat() else { return false }
        let number = status.snapshot.heartbeatsRun + 1
        let leases = store?.leases
        if leases == nil { publishHeartbeatStarted(number) }
        Task {
            if let leases {
                guard await leases.confirm(self.id) else {
                    self.status.update { $0.heartbeatInFlight = false }
                    return
                }
                self.publishHeartbeatStarted(number)
            }
            let adapters = await self.adapters(following: graph)
            await self.runHeartbeat(graph, adapters: adapters, number: number)
        }
        return true
    }

    private nonisolated func publishHeartbeatStarted(_ number: Int) {
        events.publish(SessionEvent(kind: .heartbeatStarted, topic: signalTopic, sessionID: id, traceID: traceID,
                                    fields: ["heartbeat": .integer(number)]))
    }

    /// Waits until no heartbeat is in flight (tests and benchmarks; polls the status lock).
    public nonisolated func waitForHeartbeat() async {
        while status.snapshot.heartbeatInFlight { try? await Task.sleep(for: .milliseconds(1)) }
    }

    private nonisolated func runHeartbeat(_ graph: CompiledGraph, adapters: AdapterSet, number: Int) async {
        let context = await heartbeatSeed()
        let clock = ContinuousClock()
        let started = clock.now
        let result = await SessionCheckpointing.$adapter.withValue(self.adapters.checkpoint) {
            await engine.run(graph, context: context, adapters: adapters, services: Self.runServices)
        }
        let duration = clock.now - started
        await applyHeartbeat(result, number: number, duration: duration)
    }

    private func heartbeatSeed() -> Context {
        seed(runKind: "heartbeat", phase: status.phase)
    }

    /// Applies a heartbeat: cognitive mode, goals updated by id (fields merged), new goals
    /// appended. A failed heartbeat changes nothing and is reported; the next one runs as usual.
    private func applyHeartbeat(_ result: RunResult, number: Int, duration: Duration) async {
        defer {
            status.update { snapshot in
                snapshot.heartbeatInFlight = false
                snapshot.heartbeatsRun += 1
            }
        }
        let fields: [String: ContextValue] = [
            "heartbeat": .integer(number), "duration_us": .integer(duration.wholeMicroseconds),
            "node_timings": Self.timings(result.nodeTimings),
        ]
        guard result.status == .success || result.status == .partialSuccess else {
            var failed = fields
            failed["error"] = .string(result.failureReason ?? "the heartbeat graph ended with status \(result.status.rawValue)")
            events.publish(event(.heartbeatFailed, failed))
            return
        }
        let context = result.context
        if case .string(let mode)? = context[SessionKeys.cognitiveMode] { cognitiveMode = mode }
        if case .list(let updates)? = context[SessionKeys.goalUpdates] { goals = Self.merge(goals, updates: updates) }
        if case .list(let added)? = context[SessionKeys.newGoals] { goals += added }
        var completed = fields
        completed["cognitive_mode"] = .string(cognitiveMode)
        completed["goals"] = .integer(goals.count)
        events.publish(event(.heartbeatCompleted, completed))
        if let store {
            do {
                try await store.recordState(sessionID: id, goals: goals, cognitiveMode: cognitiveMode)
            } catch {
                events.publish(event(.storeFailed, ["error": .string(error.description)]))
            }
        }
    }

    /// `goals` with each update merged into the goal of the same `id` (unknown ids are appended).
    static func merge(_ goals: [ContextValue], updates: [ContextValue]) -> [ContextValue] {
        var result = goals
        for update in updates {
            guard case .map(let changes) = update, let goalID = changes["id"] else { continue }
            if let index = result.firstIndex(where: { goal in
                if case .map(let fields) = goal { return fields["id"] == goalID }
                return false
            }), case .map(var fields) = result[index] {
                fields.merge(changes) { _, new in new }
                result[index] = .map(fields)
            } else {
                result.append(update)
            }
        }
        return result
    }
}
