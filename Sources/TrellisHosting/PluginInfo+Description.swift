import TrellisDOT
import TrellisEngine
import TrellisPluginHost

extension PluginInfo {
    /// The library as `trellis plugins inspect` prints it: file, plugin, ABI and toolchain
    /// beside this host's, staging path, node types with their attribute schemas, adapters.
    public var descriptionLines: [String] {
        var lines = [
            "file:       \(file)",
            "plugin:     \(id) \(version)" + (summary.isEmpty ? "" : " - \(summary)"),
            "abi:        \(abiMajor).\(abiMinor) (this host: \(PluginABIVersion.version))",
            "toolchain:  " + (toolchain.isEmpty ? "none (a C plugin)" : "\(toolchain) (this host: \(SwiftToolchain.identity))"),
            "staged as:  \(stagedPath)",
        ]
        lines.append(nodeTypes.isEmpty ? "node types: none" : "node types:")
        for type in nodeTypes {
            var flags: [String] = []
            if type.isThreadSafe { flags.append("thread-safe") }
            if type.isAsynchronous { flags.append("asynchronous") }
            if type.isBlocking { flags.append("blocking") }
            lines.append("  \(type.qualifiedID)" + (flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]")
                + (type.summary.isEmpty ? "" : ": \(type.summary)"))
            for attribute in type.schema.attributes {
                lines.append("    \(attribute.name): \(attribute.type.rawValue)\(attribute.isRequired ? ", required" : "")"
                    + (attribute.summary.isEmpty ? "" : " - \(attribute.summary)"))
            }
            if !type.schema.allowsUnlisted { lines.append("    (no other attributes accepted)") }
        }
        lines.append(adapters.isEmpty ? "adapters:   none" : "adapters:")
        for adapter in adapters {
            lines.append("  \(adapter.qualifiedName) [\(adapter.kind.rawValue)]" + (adapter.summary.isEmpty ? "" : ": \(adapter.summary)"))
        }
        return lines
    }

    /// The library as JSON (`trellis plugins inspect --json`, and each plugin of
    /// `trellis plugins list --json`).
    public var jsonValue: ContextValue {
        .map([
            "file": .string(file),
            "staged": .string(stagedPath),
            "id": .string(id),
            "version": .string(version),
            "summary": .string(summary),
            "abi": .string("\(abiMajor).\(abiMinor)"),
            "toolchain": .string(toolchain),
            "types": .list(nodeTypes.map { type in
                .map([
                    "id": .string(type.qualifiedID),
                    "summary": .string(type.summary),
                    "thread_safe": .boolean(type.isThreadSafe),
                    "asynchronous": .boolean(type.isAsynchronous),
                    "blocking": .boolean(type.isBlocking),
                    "allows_unlisted_attributes": .boolean(type.schema.allowsUnlisted),
                    "attributes": .list(type.schema.attributes.map { attribute in
                        .map(["name": .string(attribute.name), "type": .string(attribute.type.rawValue),
                              "required": .boolean(attribute.isRequired), "summary": .string(attribute.summary)])
                    }),
                ])
            }),
            "adapters": .list(adapters.map { adapter in
                .map(["name": .string(adapter.qualifiedName), "kind": .string(adapter.kind.rawValue), "summary": .string(adapter.summary)])
            }),
        ])
    }
}
