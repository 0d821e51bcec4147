/// Talks to a language model. The built-in default is `SimulatedLLM`, which answers
/// deterministically without a network.
public protocol LLMAdapter: Sendable {
    /// Completes a prompt. May suspend for as long as the model takes; must honour task cancellation.
    func complete(_ request: LLMRequest) async throws -> LLMResponse
}

/// A request to the LLM adapter.
public struct LLMRequest: Sendable {
    /// The prompt text for a single-shot stage (pipeline LLM node).
    public var prompt: String
    /// The conversation so far for chat-style calls (session turns): `{role, content}` maps.
    public var messages: [ContextValue]
    /// The model name (`llm_model`), empty for the adapter's default.
    public var model: String
    /// The provider name (`llm_provider`), empty for the adapter's default.
    public var provider: String
    /// Extra settings (`reasoning_effort`, cognitive mode, session id, ...).
    public var options: [String: ContextValue]

    /// Creates a request.
    public init(prompt: String, messages: [ContextValue] = [], model: String = "", provider: String = "", options: [String: ContextValue] = [:]) {
        self.prompt = prompt
        self.messages = messages
        self.model = model
        self.provider = provider
        self.options = options
    }
}

/// What the LLM adapter answered.
public struct LLMResponse: Sendable, Equatable {
    /// The answer text (empty when the model asked for tools only).
    public var content: String
    /// Tool calls the model asked for, as maps (`{name, arguments}`); empty for a text answer.
    public var toolCalls: [ContextValue]

    /// Creates a response.
    public init(content: String, toolCalls: [ContextValue] = []) {
        self.content = content
        self.toolCalls = toolCalls
    }
}

/// Long-term memory for an agent.
public protocol MemoryAdapter: Sendable {
    /// Memories relevant to `query` for `agentID`.
    func recall(agentID: String, query: String) async throws -> [ContextValue]
    /// Records what happened in a turn.
    func update(agentID: String, entry: ContextValue) async throws
}

/// Runs tool calls the model asked for.
public protocol ToolsAdapter: Sendable {
    /// Runs each call and returns one result per call, in order.
    func dispatch(_ calls: [ContextValue]) async throws -> [ContextValue]
}

/// The adapters a run uses. `nil` means the run has none of that kind; a node that needs
/// one fails with a message naming it.
public struct AdapterSet: Sendable {
    /// The language model.
    public var llm: (any LLMAdapter)?
    /// Long-term memory.
    public var memory: (any MemoryAdapter)?
    /// Tools.
    public var tools: (any ToolsAdapter)?

    /// Creates an adapter set.
    public init(llm: (any LLMAdapter)? = nil, memory: (any MemoryAdapter)? = nil, tools: (any ToolsAdapter)? = nil) {
        self.llm = llm
        self.memory = memory
        self.tools = tools
    }
}
