import TrellisEngine

/// Wraps a turn's adapters so that calling them makes the session's phase true:
/// `awaiting_llm` during an LLM call, `awaiting_tools` during tool dispatch, back to
/// `processing` afterwards. Each session's wrappers write only that session's status, so
/// sessions never share a lock while they wait on their adapters.
enum PhaseTrackingAdapters {
    /// `adapters` with LLM and tools wrapped to report phases to `status`.
    static func wrap(_ adapters: AdapterSet, status: SessionStatus) -> AdapterSet {
        AdapterSet(
            llm: adapters.llm.map { PhaseTrackingLLM(base: $0, status: status) },
            memory: adapters.memory,
            tools: adapters.tools.map { PhaseTrackingTools(base: $0, status: status) })
    }
}

/// An LLM adapter that sets `awaiting_llm` while the wrapped adapter answers.
struct PhaseTrackingLLM: LLMAdapter {
    let base: any LLMAdapter
    let status: SessionStatus

    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        status.enterAdapterCall(.awaitingLLM)
        defer { status.leaveAdapterCall() }
        return try await base.complete(request)
    }
}

/// A tools adapter that sets `awaiting_tools` while the wrapped adapter runs the calls.
struct PhaseTrackingTools: ToolsAdapter {
    let base: any ToolsAdapter
    let status: SessionStatus

    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue] {
        status.enterAdapterCall(.awaitingTools)
        defer { status.leaveAdapterCall() }
        return try await base.dispatch(calls)
    }
}
