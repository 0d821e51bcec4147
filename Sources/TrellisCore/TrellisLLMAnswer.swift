package import CTrellisPlugin

/// A `trellis_llm_answer` (ABI 1.3) as both sides lend it: the host answering a node's
/// `complete_request`, and the SDK's adapter answering the host (`adapter_reply_llm`).
package enum TrellisLLMAnswer {
    /// Lends an answer made of `content`, `toolCallsJSON` (empty without tool calls) and the
    /// token counts to `body`; the struct and its strings are valid only inside `body`.
    /// Inlinable, so that each side's call is specialized (unspecialized across the module
    /// boundary, its three nested closures were about 0.2 µs of benchmark 8's plugin turn).
    @inlinable
    package static func lend<Result>(content: String, toolCallsJSON: String, inputTokens: Int, outputTokens: Int,
                                     _ body: (UnsafePointer<trellis_llm_answer>) -> Result) -> Result {
        withTrellisString(content) { content in
            withTrellisString(toolCallsJSON) { calls in
                var answer = trellis_llm_answer()
                answer.struct_size = UInt32(MemoryLayout<trellis_llm_answer>.size)
                answer.abi_major = UInt16(TRELLIS_ABI_MAJOR)
                answer.abi_minor = UInt16(TRELLIS_ABI_MINOR)
                answer.content = content
                answer.tool_calls_json = calls
                answer.input_tokens = Int64(inputTokens)
                answer.output_tokens = Int64(outputTokens)
                return withUnsafePointer(to: &answer) { body($0) }
            }
        }
    }
}
