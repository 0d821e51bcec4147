import TrellisPluginKit

/// `greeting.greet`: greets the node's `name` attribute (else the context's `user.name`, else
/// "world") and appends the greeting to `greeting.text`, so several greet nodes in a row
/// build up one text.
struct Greet: SyncNodeHandler {
    static let attributes = [
        AttributeDeclaration("name", summary: "who to greet (default: the context's user.name, else \"world\")"),
        AttributeDeclaration("punctuation", summary: "what ends the greeting (default \"!\")"),
    ]

    func handle(_ call: inout NodeCall) throws -> NodeResult {
        let name = call.attribute("name") ?? call.string("user.name") ?? "world"
        guard !name.isEmpty else { throw PluginError("node '\(call.nodeID)': the name to greet is empty") }
        let greeting = "Hello, \(name)\(call.attribute("punctuation") ?? "!")"
        let previous = call.string("greeting.text") ?? ""
        call.log(.info, "greeting \(name)")
        return .success([
            "greeting.text": .string(previous.isEmpty ? greeting : previous + " " + greeting),
            "greeting.count": .integer((call.integer("greeting.count") ?? 0) + 1),
        ])
    }
}
