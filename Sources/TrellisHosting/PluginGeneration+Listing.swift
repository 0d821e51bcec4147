import TrellisEngine
import TrellisPluginHost

extension PluginGeneration {
    /// The generation as `trellis plugins list` prints it: a table of every plugin node type
    /// (with its short alias when the alias resolves to the same plugin, and "replaces
    /// built-in" when it takes the place of a built-in type of the same id) and adapter, with
    /// its plugin, version and file; or one line saying there is nothing.
    public var listingLines: [String] {
        var rows: [[String]] = [["KIND", "ID", "PLUGIN", "VERSION", "FILE"]]
        for plugin in plugins {
            for type in plugin.nodeTypes {
                let alias = type.qualifiedID.split(separator: ".", maxSplits: 1).last.map(String.init) ?? ""
                let aliased = registry.handler(for: alias)?.origin == plugin.file && alias != type.qualifiedID
                let ambiguous = registry.ambiguousNames[alias] != nil
                let replaces = replacedBuiltins.contains(type.qualifiedID) ? " (replaces built-in)" : ""
                rows.append(["type", type.qualifiedID + (aliased ? " (alias \(alias))" : ambiguous ? " (no alias: '\(alias)' is ambiguous)" : "") + replaces,
                             plugin.id, plugin.version, plugin.file])
            }
            for adapter in plugin.adapters {
                rows.append(["\(adapter.kind.rawValue) adapter", adapter.qualifiedName, plugin.id, plugin.version, plugin.file])
            }
        }
        if rows.count == 1 { return ["no plugin types or adapters found"] }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }

    /// The generation as `trellis plugins list --json` prints it: its number, the directories,
    /// each plugin (see `PluginInfo.jsonValue`) and each file's load report.
    public func listingJSON(reports: [PluginLoadReport], directories: [String]) -> ContextValue {
        .map([
            "generation": .integer(Int(number)),
            "directories": .list(directories.map { .string($0) }),
            "plugins": .list(plugins.map(\.jsonValue)),
            "reports": .list(reports.map { report in
                var fields: [String: ContextValue] = ["path": .string(report.path), "status": .string(report.status.rawValue),
                                                      "message": .string(report.message)]
                if let id = report.pluginID { fields["plugin"] = .string(id) }
                if report.status == .failed { fields["previous_version_serving"] = .boolean(report.previousVersionServing) }
                return .map(fields)
            }),
        ])
    }
}
