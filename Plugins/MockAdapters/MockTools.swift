import TrellisPluginKit

/// Answers each tool call with `called NAME with ARGUMENTS`, in order.
struct MockTools: PluginToolsAdapter {
    func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue] {
        calls.map { call in
            let name = call["name"]?.stringValue ?? ""
            let arguments = call["arguments"]?.jsonText ?? "{}"
            return .string("called \(name) with \(arguments)")
        }
    }
}
