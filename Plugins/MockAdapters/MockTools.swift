import TrellisPluginKit

/// Answers each tool call with `called NAME with ARGUMENTS`, in order, without waiting.
struct MockTools: PluginToolsAdapter {
    func dispatch(_ calls: [PluginValue]) async throws -> [PluginValue] {
        results(for: calls)
    }

    func dispatchImmediately(_ calls: [PluginValue]) throws -> [PluginValue]? {
        results(for: calls)
    }

    private func results(for calls: [PluginValue]) -> [PluginValue] {
        calls.map { call in
            let name = call["name"]?.stringValue ?? ""
            let arguments = call["arguments"]?.jsonText ?? "{}"
            return .string("called \(name) with \(arguments)")
        }
    }
}
