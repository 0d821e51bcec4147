import TrellisEngine

/// Wraps a turn's adapters so that calling them makes the session's phase true:
/// `awaiting_llm` during an LLM call, `awaiting_tools` during tool dispatch, back to
/// `processing` afterwards. Each session's wrappers write only that session's status, so
/// sessions never share a lock while they wait on their adapters.
///
/// The LLM wrapper also streams: every model call of a turn asks for the answer in pieces,
/// and each piece is published as an `llm_delta` event while the turn runs. Its token usage
/// is added to the session's total and to the running turn's (`TurnUsage`).
enum PhaseTrackingAdapters {
    /// `adapters` with LLM and tools wrapped to report phases to `status`, and deltas to `publishDelta`.
    static func wrap(_ adapters: AdapterSet, status: SessionStatus,
                     publishDelta: @escaping @Sendable (String) -> Void) -> AdapterSet {
        AdapterSet(
            llm: adapters.llm.map { PhaseTrackingLLM(base: $0, status: status, publishDelta: publishDelta) },
            memory: adapters.memory,
            tools: adapters.tools.map { PhaseTrackingTools(base: $0, status: status) })
    }
}

/// An LLM adapter that sets `awaiting_llm` while the wrapped adapter answers, relays the
/// streamed pieces and counts the tokens.
struct PhaseTrackingLLM: LLMAdapter {
    let base: any LLMAdapter
    let status: SessionStatus
    let publishDelta: @Sendable (String) -> Void

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        status.enterAdapterCall(.awaitingLLM)
        defer { status.leaveAdapterCall() }
        return counted(try await base.complete(relaying(request)))
    }

    /// The wrapped adapter's answer at hand, if it has one (a plugin node's call through the C
    /// ABI asks this first), with the same phase, relaying and counting as `complete`.
    func completeImmediately(_ request: LLMRequest) throws -> LLMResponse? {
        status.enterAdapterCall(.awaitingLLM)
        defer { status.leaveAdapterCall() }
        return try base.completeImmediately(relaying(request)).map(counted)
    }

    /// `request` with its pieces also published as the session's deltas.
    private func relaying(_ request: LLMRequest) -> LLMRequest {
        var request = request
        let upstream = request.onDelta
        let publish = publishDelta
        request.onDelta = { piece in
            upstream?(piece)
            publish(piece)
        }
        return request
    }

    /// `response`, its tokens added to the session's and the running turn's usage.
    private func counted(_ response: LLMResponse) -> LLMResponse {
        status.addUsage(response.usage)
        TurnUsage.current?.add(response.usage)
        return response
    }
}

/// A tools adapter that sets `awaiting_tools` while the wrapped adapter runs the calls.
struct PhaseTrackingTools: ToolsAdapter {
    let base: any ToolsAdapter
    let status: SessionStatus

    var offers: [ContextValue] { base.offers }

    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        status.enterAdapterCall(.awaitingTools)
        defer { status.leaveAdapterCall() }
        return try await base.dispatch(calls)
    }
}
