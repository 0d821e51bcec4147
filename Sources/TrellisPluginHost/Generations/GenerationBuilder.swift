import TrellisEngine

/// Builds one immutable generation from the built-ins and the plugins that load, refusing
/// plugins whose ids clash with an earlier plugin's (by file order).
enum GenerationBuilder {
    struct Built {
        var generation: PluginGeneration
        /// Plugins left out, with the reason naming both files.
        var refused: [(file: String, error: PluginLoadError)]
        /// Notes about accepted plugins (overridden built-ins, dropped aliases), by file.
        var notes: [String: [String]]
    }

    static func build(number: UInt64, builtins: HandlerRegistry, plugins: [LoadedPlugin], callTimeout: Duration?) -> Built {
        var refused: [(file: String, error: PluginLoadError)] = []
        var notes: [String: [String]] = [:]
        var claimedBy: [String: String] = [:]
        var accepted: [LoadedPlugin] = []
        for plugin in plugins {
            let ids = plugin.image.nodeTypes.map(\.qualifiedID) + plugin.image.adapters.map { plugin.image.id + "." + $0.name }
            if let clash = ids.first(where: { claimedBy[$0] != nil }), let owner = claimedBy[clash] {
                refused.append((plugin.file, PluginLoadError(.duplicateID, file: plugin.file,
                    "'\(clash)' is already registered by \(owner); two plugins cannot claim one id. Remove one of the two files "
                    + "or give one plugin another id (the file that sorts first, \(owner), keeps serving)")))
                continue
            }
            for id in ids { claimedBy[id] = plugin.file }
            accepted.append(plugin)
        }

        let builtinIDs = Set(builtins.typeIDs)
        var handlers = builtins.all
        var byName: [String: [RegisteredHandler]] = [:]
        var replaced: Set<String> = []
        for plugin in accepted {
            for type in plugin.image.nodeTypes {
                let handler = PluginHandler(type: type, activation: plugin.activation, defaultTimeout: callTimeout)
                let registration = RegisteredHandler(typeID: type.qualifiedID, handler: handler, schema: type.schema,
                                                     summary: type.summary, origin: plugin.file)
                if builtinIDs.contains(type.qualifiedID) {
                    notes[plugin.file, default: []].append("'\(type.qualifiedID)' replaces the built-in type of that id")
                    replaced.insert(type.qualifiedID)
                }
                handlers.append(registration)
                byName[type.name, default: []].append(registration)
            }
        }
        let qualified = Set(handlers.map(\.typeID))
        var ambiguous: [String: [String]] = [:]
        for (name, registrations) in byName.sorted(by: { $0.key < $1.key }) {
            guard registrations.count == 1, let only = registrations.first else {
                // Never silently one of them: a graph using the bare name is refused, naming all.
                if !builtinIDs.contains(name) && !qualified.contains(name) {
                    ambiguous[name] = registrations.map { "\($0.typeID) (\($0.origin))" }
                    for registration in registrations {
                        notes[registration.origin, default: []].append(
                            "no alias '\(name)' for '\(registration.typeID)': " + registrations.map(\.typeID).joined(separator: " and ") + " both define it; use the qualified name")
                    }
                }
                continue
            }
            if builtinIDs.contains(name) || qualified.contains(name) {
                notes[only.origin, default: []].append("no alias '\(name)' for '\(only.typeID)': a built-in or qualified type has that id")
                continue
            }
            var alias = only
            alias.typeID = name
            handlers.append(alias)
        }

        var adapters: [String: PluginAdapter] = [:]
        var adaptersByName: [String: [PluginAdapter]] = [:]
        for plugin in accepted {
            for entry in plugin.image.adapters {
                var function = entry.function
                function.lease = plugin.activation
                let adapter = PluginAdapter(name: plugin.image.id + "." + entry.name, summary: entry.summary, origin: plugin.file, function: function)
                adapters[adapter.name] = adapter
                adaptersByName[entry.name, default: []].append(adapter)
            }
        }
        for (name, list) in adaptersByName where list.count == 1 && adapters[name] == nil {
            adapters[name] = list[0]
        }

        let generation = PluginGeneration(number: number, registry: HandlerRegistry(generation: number, handlers: handlers, ambiguousNames: ambiguous),
                                          adapters: adapters, plugins: accepted.map(\.info),
                                          replacedBuiltins: replaced)
        return Built(generation: generation, refused: refused, notes: notes)
    }
}
