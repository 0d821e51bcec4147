import TrellisEngine
import TrellisPluginHost

extension PluginGeneration {
    /// A run's plugin adapters `names` (at most one per kind, as `trellis run --adapter` takes
    /// them). Kinds no name covers are left empty: the run's model is decided by `PipelineModel`.
    public func adapterSet(named names: [String]) throws(AdapterSelectionError) -> AdapterSet {
        var set = AdapterSet()
        var chosen: [PluginAdapter.Kind: String] = [:]
        for name in names {
            guard let adapter = adapters[name] else {
                let known = adapters.keys.sorted()
                throw AdapterSelectionError(name: name, reason: "no plugin adapter of that name; "
                    + (known.isEmpty ? "no plugin loaded provides adapters (use --plugin-dir)" : "known: \(known.joined(separator: ", "))"))
            }
            if let earlier = chosen[adapter.kind] {
                throw AdapterSelectionError(name: name, reason: "\(earlier) was already chosen as the \(adapter.kind.rawValue) adapter")
            }
            chosen[adapter.kind] = name
            switch adapter.kind {
            case .llm: set.llm = adapter.llm
            case .memory: set.memory = adapter.memory
            case .tools: set.tools = adapter.tools
            }
        }
        return set
    }
}
