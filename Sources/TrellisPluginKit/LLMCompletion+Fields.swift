import CTrellisPlugin
import TrellisCore

// LLM requests and answers as the typed structs of ABI 1.3 (`trellis_llm_request`,
// `trellis_llm_answer`): how the SDK talks to the host without writing or parsing JSON.

extension LLMCompletionRequest {
    /// Lends the request, as a node sends it (`trellis_llm_ext.complete_request`), to `body`.
    func withFields<Result>(_ body: (UnsafePointer<trellis_llm_request>) -> Result) -> Result {
        let messagesJSON = useSessionMessages || messages.isEmpty ? "" : PluginValue.list(messages).jsonText
        var flags: UInt32 = 0
        if useSessionMessages { flags |= UInt32(TRELLIS_LLM_USE_SESSION_MESSAGES) }
        if offerTools { flags |= UInt32(TRELLIS_LLM_OFFER_TOOLS) }
        return withTrellisString(prompt) { prompt in
            withTrellisString(model) { model in
                withTrellisString(provider) { provider in
                    withTrellisString(messagesJSON) { messages in
                        var request = trellis_llm_request()
                        request.struct_size = UInt32(MemoryLayout<trellis_llm_request>.size)
                        request.abi_major = UInt16(TRELLIS_ABI_MAJOR)
                        request.abi_minor = UInt16(TRELLIS_ABI_MINOR)
                        request.flags = flags
                        request.prompt = prompt
                        request.model = model
                        request.provider = provider
                        request.messages_json = messages
                        return withTrellisFields(options) { fields, count in
                            request.options = fields
                            request.option_count = count
                            return withUnsafePointer(to: &request) { body($0) }
                        }
                    }
                }
            }
        }
    }

    /// The request an adapter reads with `reply_llm_request` (strings copied: they are the host's).
    init(fields: trellis_llm_request) throws(PluginError) {
        let options: [String: PluginValue]
        do throws(TrellisFieldError) { options = try contextMap(fields: fields.options, count: fields.option_count, maximumDepth: PluginValue.sdkMaximumJSONDepth) } catch {
            throw PluginError("the host's request options: \(error.message)")
        }
        var messages: [PluginValue] = []
        if fields.messages_json.length > 0 {
            guard case .list(let items)? = try? PluginValue(jsonText: String(borrowing: fields.messages_json), maximumDepth: PluginValue.sdkMaximumJSONDepth) else {
                throw PluginError("the host's request messages are not a JSON list")
            }
            messages = items
        }
        self.init(prompt: String(borrowing: fields.prompt), messages: messages, model: String(borrowing: fields.model),
                  provider: String(borrowing: fields.provider), options: options,
                  stream: fields.flags & UInt32(TRELLIS_LLM_STREAM) != 0)
    }
}

extension LLMCompletion {
    /// Lends the completion, as an adapter answers it (`adapter_reply_llm`), to `body`.
    func withAnswer<Result>(_ body: (UnsafePointer<trellis_llm_answer>) -> Result) -> Result {
        TrellisLLMAnswer.lend(content: content, toolCallsJSON: toolCalls.isEmpty ? "" : PluginValue.list(toolCalls).jsonText,
                              inputTokens: inputTokens, outputTokens: outputTokens, body)
    }

    /// The completion the host delivered to a `trellis_llm_answer_fn` (strings copied).
    init(answer: UnsafePointer<trellis_llm_answer>) throws(PluginError) {
        var toolCalls: [PluginValue] = []
        let fields = answer.pointee
        if fields.tool_calls_json.length > 0 {
            guard case .list(let calls)? = try? PluginValue(jsonText: String(borrowing: fields.tool_calls_json), maximumDepth: PluginValue.sdkMaximumJSONDepth) else {
                throw PluginError("the host's answer has tool calls that are not a JSON list")
            }
            toolCalls = calls
        }
        self.init(content: String(borrowing: fields.content), toolCalls: toolCalls,
                  inputTokens: Int(fields.input_tokens), outputTokens: Int(fields.output_tokens))
    }
}
