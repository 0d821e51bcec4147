import CTrellisPlugin
import TrellisCore
import TrellisEngine

#if canImport(Glibc)
import Glibc
#endif

/// LLM requests and answers as the typed structs of ABI 1.3 (`trellis_llm_request`,
/// `trellis_llm_answer`): the same shapes as `LLMRequestJSON`, without writing or parsing JSON.
enum LLMRequestFields {
    /// The size of the 1.3 request struct: the smallest the host accepts (the struct is new in 1.3).
    static let size13 = MemoryLayout<trellis_llm_request>.size
    /// The flags a node may set on a request.
    static let knownNodeFlags = UInt32(TRELLIS_LLM_USE_SESSION_MESSAGES) | UInt32(TRELLIS_LLM_OFFER_TOOLS)

    /// A request a node filled for `trellis_llm_ext.complete_request`. `sessionMessages` is used
    /// with TRELLIS_LLM_USE_SESSION_MESSAGES, `offeredTools` with TRELLIS_LLM_OFFER_TOOLS.
    static func read(_ pointer: UnsafePointer<trellis_llm_request>?, sessionMessages: @autoclosure () -> MessageList,
                     offeredTools: @autoclosure () -> [ContextValue]) throws(PluginAdapterError) -> LLMRequest {
        guard let pointer else { throw PluginAdapterError(message: "the request is NULL") }
        let size = Int(pointer.pointee.struct_size)
        guard size >= size13 else {
            throw PluginAdapterError(message: "the request's struct_size is \(size) bytes, smaller than the \(size13) of trellis_llm_request (ABI 1.3)")
        }
        let fields = VersionedStruct.read(UnsafeRawPointer(pointer), over: trellis_llm_request())
        let unknown = fields.flags & ~knownNodeFlags
        guard unknown == 0 else {
            throw PluginAdapterError(message: "the request sets unknown flag bits 0x\(String(unknown, radix: 16)); this host knows TRELLIS_LLM_USE_SESSION_MESSAGES and TRELLIS_LLM_OFFER_TOOLS")
        }
        let prompt = try text(fields.prompt, "prompt"), model = try text(fields.model, "model"), provider = try text(fields.provider, "provider")
        let options: [String: ContextValue]
        do throws(TrellisFieldError) { options = try contextMap(fields: fields.options, count: fields.option_count) } catch {
            throw PluginAdapterError(message: "options: \(error.message)")
        }
        var messages = MessageList()
        if fields.flags & UInt32(TRELLIS_LLM_USE_SESSION_MESSAGES) != 0 {
            messages = sessionMessages()
        } else if fields.messages_json.length > 0 {
            let json = try text(fields.messages_json, "messages_json")
            guard case .list(let items)? = try? ContextValue(jsonText: json) else {
                throw PluginAdapterError(message: "messages_json is not a JSON list")
            }
            messages = MessageList(items)
        }
        let tools = fields.flags & UInt32(TRELLIS_LLM_OFFER_TOOLS) != 0 ? offeredTools() : []
        return LLMRequest(prompt: prompt, messages: messages, model: model, provider: provider, options: options, tools: tools)
    }

    private static func text(_ string: trellis_string, _ field: String) throws(PluginAdapterError) -> String {
        guard let text = string.validatedString else { throw PluginAdapterError(message: "\(field) is not valid UTF-8") }
        return text
    }
}

/// An LLM request lent to an adapter by `reply_llm_request`: every string and the options in
/// host memory that lives as long as the operation's reply (until the plugin answers).
final class LentLLMRequest {
    private var strings: [UnsafeMutableRawPointer] = []
    private let options: TrellisFieldBuffer
    private var filled = trellis_llm_request()

    init(_ request: LLMRequest, includingMessages: Bool) {
        options = TrellisFieldBuffer(request.options)
        filled.flags = request.onDelta != nil ? UInt32(TRELLIS_LLM_STREAM) : 0
        filled.prompt = lend(request.prompt)
        filled.model = lend(request.model)
        filled.provider = lend(request.provider)
        filled.options = options.base
        filled.option_count = options.fields.count
        if includingMessages && !request.messages.isEmpty { filled.messages_json = lend(ContextValue.messages(request.messages).jsonText) }
        if !request.tools.isEmpty { filled.tools_json = lend(ContextValue.list(request.tools).jsonText) }
    }

    deinit {
        for pointer in strings { free(pointer) }
    }

    /// Writes the fields that fit in `out` (its `struct_size`, at least the 1.3 size), header included.
    func fill(_ out: UnsafeMutablePointer<trellis_llm_request>) {
        var value = filled
        value.struct_size = out.pointee.struct_size
        value.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        value.abi_minor = UInt16(TRELLIS_ABI_MINOR)
        // Never past the struct this host knows, nor past what the plugin's struct holds.
        let count = min(Int(out.pointee.struct_size), MemoryLayout<trellis_llm_request>.size)
        withUnsafeBytes(of: &value) { bytes in
            UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: count)
        }
    }

    private func lend(_ text: String) -> trellis_string {
        guard !text.isEmpty else { return .empty }
        var text = text
        return text.withUTF8 { utf8 in
            let copy = malloc(utf8.count)!
            copy.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            strings.append(copy)
            return trellis_string(data: copy.assumingMemoryBound(to: CChar.self), length: utf8.count)
        }
    }
}

/// `trellis_llm_answer` both ways.
enum LLMAnswerFields {
    /// The size of the 1.3 answer struct, the smallest accepted.
    static let size13 = MemoryLayout<trellis_llm_answer>.size

    /// An answer an adapter filled for `adapter_reply_llm`.
    static func read(_ pointer: UnsafePointer<trellis_llm_answer>?) -> Result<LLMResponse, PluginAdapterError> {
        guard let pointer else { return .failure(PluginAdapterError(message: "the answer is NULL")) }
        let size = Int(pointer.pointee.struct_size)
        guard size >= size13 else {
            return .failure(PluginAdapterError(message: "the answer's struct_size is \(size) bytes, smaller than the \(size13) of trellis_llm_answer (ABI 1.3)"))
        }
        let fields = VersionedStruct.read(UnsafeRawPointer(pointer), over: trellis_llm_answer())
        guard let content = fields.content.validatedString else { return .failure(PluginAdapterError(message: "content is not valid UTF-8")) }
        var toolCalls: [ContextValue] = []
        if fields.tool_calls_json.length > 0 {
            guard let json = fields.tool_calls_json.validatedString, case .list(let calls)? = try? ContextValue(jsonText: json),
                  calls.allSatisfy({ if case .map = $0 { true } else { false } }) else {
                return .failure(PluginAdapterError(message: "tool_calls_json is not a JSON list of objects"))
            }
            toolCalls = calls
        }
        return .success(LLMResponse(content: content, toolCalls: toolCalls,
                                    usage: LLMUsage(input: Int(fields.input_tokens), output: Int(fields.output_tokens))))
    }

    /// Lends `response` as a `trellis_llm_answer` valid only inside `body`.
    static func withAnswer<Result>(_ response: LLMResponse, _ body: (UnsafePointer<trellis_llm_answer>) -> Result) -> Result {
        TrellisLLMAnswer.lend(content: response.content,
                              toolCallsJSON: response.toolCalls.isEmpty ? "" : ContextValue.list(response.toolCalls).jsonText,
                              inputTokens: response.usage.input, outputTokens: response.usage.output, body)
    }
}
