import CTrellisPlugin
import Synchronization
import TrellisDOT
import TrellisEngine

/// The host function table (`trellis_host_api`) and extension structs handed to every plugin: built once, immutable,
/// valid for the life of the process (the ABI promises plugins may keep the pointers).
enum HostFunctionTable {
    private static let ok = trellis_status(TRELLIS_OK)
    private static let unavailable = trellis_status(TRELLIS_UNAVAILABLE)

    /// The table passed to every plugin's init.
    nonisolated(unsafe) static let table: UnsafePointer<trellis_host_api> = {
        var api = trellis_host_api()
        api.struct_size = UInt32(MemoryLayout<trellis_host_api>.size)
        api.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        api.abi_minor = UInt16(TRELLIS_ABI_MINOR)

        api.register_node_type = { registrar, type in
            PluginRegistrar.with(registrar, "register_node_type", otherwise: trellis_status(TRELLIS_ERROR)) { $0.register(nodeType: type) }
        }
        api.register_adapter = { registrar, adapter in
            PluginRegistrar.with(registrar, "register_adapter", otherwise: trellis_status(TRELLIS_ERROR)) { $0.register(adapter: adapter) }
        }
        api.registrar_set_error = { registrar, message in
            PluginRegistrar.with(registrar, "registrar_set_error", otherwise: ()) { $0.initError = message.swiftString }
        }
        api.registrar_set_shutdown = { registrar, function, userData in
            PluginRegistrar.with(registrar, "registrar_set_shutdown", otherwise: trellis_status(TRELLIS_ERROR)) { registrar in
                registrar.shutdown = function.map { PluginShutdown(function: $0, userData: userData) }
                return ok
            }
        }

        api.log = { call, level, message in
            let level = PluginLog.Level(rawValue: Int(max(0, min(3, level)))) ?? .info
            let text = message.swiftString
            if call == nil {
                PluginLog.write(level, plugin: "plugin", text)
            } else {
                CallState.with(call, otherwise: ()) { PluginLog.write(level, plugin: $0.type.pluginID, node: $0.request.node.id, text) }
            }
        }
        api.get_extension = { id in
            guard let id else { return nil }
            switch String(cString: id) {
            case TRELLIS_EXT_TIMER: return UnsafeRawPointer(timer)
            case TRELLIS_EXT_LLM: return UnsafeRawPointer(llm)
            case TRELLIS_EXT_MEMORY: return UnsafeRawPointer(memory)
            case TRELLIS_EXT_TOOLS: return UnsafeRawPointer(tools)
            default: return nil
            }
        }

        api.node_id = { call in CallState.with(call, otherwise: .empty) { $0.lend($0.request.node.id) } }
        api.node_attribute = { call, name, out in CallState.with(call, otherwise: unavailable) { $0.nodeAttribute(name, into: out) } }
        api.node_attempt = { call in CallState.with(call, otherwise: 0) { Int64($0.request.attempt) } }

        api.context_type = { call, key in CallState.with(call, otherwise: Int32(TRELLIS_VALUE_NONE)) { $0.valueType(key) } }
        api.context_get_string = { call, key, out in CallState.with(call, otherwise: unavailable) { $0.getString(key, into: out) } }
        api.context_get_integer = { call, key, out in CallState.with(call, otherwise: unavailable) { $0.getInteger(key, into: out) } }
        api.context_get_double = { call, key, out in CallState.with(call, otherwise: unavailable) { $0.getDouble(key, into: out) } }
        api.context_get_boolean = { call, key, out in CallState.with(call, otherwise: unavailable) { $0.getBoolean(key, into: out) } }
        api.context_get_json = { call, key, out in CallState.with(call, otherwise: unavailable) { $0.getJSON(key, into: out) } }
        api.context_list_count = { call, key in CallState.with(call, otherwise: 0) { $0.listCount(key) } }
        api.context_list_item_json = { call, key, index, out in
            CallState.with(call, otherwise: unavailable) { $0.listItemJSON(key, index: index, into: out) }
        }
        api.context_list_item_string = { call, key, index, field, out in
            CallState.with(call, otherwise: unavailable) { $0.listItemString(key, index: index, field: field, into: out) }
        }
        api.context_map_string = { call, key, field, out in
            CallState.with(call, otherwise: unavailable) { $0.mapString(key, field: field, into: out) }
        }
        api.messages_count = { call in CallState.with(call, otherwise: 0) { $0.messagesCount() } }
        api.message_at = { call, index, role, content in
            CallState.with(call, otherwise: unavailable) { $0.message(at: index, role: role, content: content) }
        }

        api.context_set_string = { call, key, value in CallState.with(call, otherwise: unavailable) { $0.setString(key, value) } }
        api.context_set_integer = { call, key, value in CallState.with(call, otherwise: unavailable) { $0.set(key, .integer(Int(value))) } }
        api.context_set_double = { call, key, value in CallState.with(call, otherwise: unavailable) { $0.set(key, .double(value)) } }
        api.context_set_boolean = { call, key, value in CallState.with(call, otherwise: unavailable) { $0.set(key, .boolean(value)) } }
        api.context_set_json = { call, key, json in CallState.with(call, otherwise: unavailable) { $0.setJSON(key, json) } }

        api.outcome_set_status = { call, code in CallState.with(call, otherwise: unavailable) { $0.setOutcomeStatus(code) } }
        api.outcome_set_failure = { call, reason in
            CallState.with(call, otherwise: unavailable) { $0.setText(reason, "outcome_set_failure") { $0.failureReason = $1 } }
        }
        api.outcome_set_preferred_label = { call, label in
            CallState.with(call, otherwise: unavailable) { $0.setText(label, "outcome_set_preferred_label") { $0.preferredLabel = $1 } }
        }
        api.outcome_add_suggested_next = { call, node in
            CallState.with(call, otherwise: unavailable) { $0.setText(node, "outcome_add_suggested_next") { $0.suggestedNextIDs.append($1) } }
        }
        api.outcome_set_notes = { call, notes in
            CallState.with(call, otherwise: unavailable) { $0.setText(notes, "outcome_set_notes") { $0.notes = $1 } }
        }

        api.emit_event = { call, kind, fields in CallState.with(call, otherwise: unavailable) { $0.emitEvent(kind: kind, fieldsJSON: fields) } }
        api.is_cancelled = { call in CallState.with(call, otherwise: true) { $0.isCancelled } }
        api.complete = { call, status, message in
            switch AsyncPluginCall.complete(call, status, message: message) {
            case .done:
                break
            case .synchronous(let type, let nodeID):
                PluginLog.write(.warning, plugin: type.pluginID, node: nodeID,
                                "complete() called during a synchronous invoke of '\(type.qualifiedID)'; ignored (return the status from invoke instead)")
            case .notLive(let finished?):
                PluginLog.write(.warning, plugin: finished.type.pluginID, node: finished.nodeID,
                                "complete() called again for a call that already completed (type '\(finished.type.qualifiedID)'); the second completion is ignored")
            case .notLive(nil):
                PluginLog.write(.warning, plugin: "plugin",
                                "complete() called with a call handle that is not live (its call already completed and its slot serves another call, or it was never a call); ignored")
            }
        }

        api.adapter_reply = { reply, status, result, error in
            let answered = PluginReply.with(reply, otherwise: false) { pending in
                pending.reply(status: status, result: result, error: error)
                return true
            }
            if !answered {
                PluginLog.write(.warning, plugin: "plugin", ReplyTable.answered(reply).map {
                    "adapter_reply called again for \($0), which was already answered; ignored"
                } ?? "adapter_reply called with a reply handle that is not pending (answered long ago, or never a reply); ignored")
            }
        }
        api.adapter_is_cancelled = { reply in PluginReply.with(reply, otherwise: true) { $0.cancelled.load(ordering: .acquiring) } }

        api.reply_delta = { reply, text in PluginReply.with(reply, otherwise: unavailable) { $0.delta(text) } }
        api.reply_messages_count = { reply in PluginReply.with(reply, otherwise: -1) { $0.messagesCount() } }
        api.reply_message_at = { reply, index, role, content in
            PluginReply.with(reply, otherwise: unavailable) { $0.message(at: index, role: role, content: content) }
        }
        api.reply_message_json_at = { reply, index, out in
            PluginReply.with(reply, otherwise: unavailable) { $0.messageJSON(at: index, into: out) }
        }

        api.call_set_user_data = { call, data in CallState.with(call, otherwise: ()) { $0.userData = data } }
        api.call_user_data = { call in CallState.with(call, otherwise: nil) { $0.userData } }

        api.node_attribute_integer = { call, name, out in
            CallState.with(call, otherwise: unavailable) { $0.typedAttribute(name, into: out) { $0.integer.map(Int64.init) } }
        }
        api.node_attribute_double = { call, name, out in
            CallState.with(call, otherwise: unavailable) { $0.typedAttribute(name, into: out) { $0.double } }
        }
        api.node_attribute_boolean = { call, name, out in
            CallState.with(call, otherwise: unavailable) { $0.typedAttribute(name, into: out) { $0.boolean } }
        }
        api.node_attribute_duration_ms = { call, name, out in
            CallState.with(call, otherwise: unavailable) { state in
                state.typedAttribute(name, into: out) { value in
                    value.duration.map { Int64($0.components.seconds) * 1000 + Int64($0.components.attoseconds / 1_000_000_000_000_000) }
                }
            }
        }

        api.reply_llm_request = { reply, out in PluginReply.with(reply, otherwise: unavailable) { $0.request(into: out) } }
        api.adapter_reply_llm = { reply, answer in
            let status = PluginReply.with(reply, otherwise: Optional<trellis_status>.none) { $0.replyLLM(answer) }
            if let status { return status }
            PluginLog.write(.warning, plugin: "plugin", ReplyTable.answered(reply).map {
                "adapter_reply_llm called again for \($0), which was already answered; ignored"
            } ?? "adapter_reply_llm called with a reply handle that is not pending (answered long ago, or never a reply); ignored")
            return unavailable
        }

        api.reply_memory_entry = { reply, fields, count in PluginReply.with(reply, otherwise: unavailable) { $0.entry(into: fields, count: count) } }

        return allocate(api)
    }()

    nonisolated(unsafe) static let timer: UnsafePointer<trellis_timer_ext> = {
        var ext = trellis_timer_ext()
        ext.struct_size = UInt32(MemoryLayout<trellis_timer_ext>.size)
        ext.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        ext.abi_minor = UInt16(TRELLIS_ABI_MINOR)
        ext.schedule = { delay, callback, userData in
            guard let callback else { return 0 }
            return PluginTimers.schedule(after: delay, PluginTimers.Callback(function: callback, userData: userData))
        }
        ext.cancel = { id in PluginTimers.cancel(id) }
        return allocate(ext)
    }()

    nonisolated(unsafe) static let llm: UnsafePointer<trellis_llm_ext> = {
        var ext = trellis_llm_ext()
        ext.struct_size = UInt32(MemoryLayout<trellis_llm_ext>.size)
        ext.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        ext.abi_minor = UInt16(TRELLIS_ABI_MINOR)
        ext.complete = { call, json, function, userData in AdapterExtensionCalls.llmComplete(call, json, function, userData) }
        ext.complete_request = { call, request, function, userData in AdapterExtensionCalls.llmCompleteRequest(call, request, function, userData) }
        return allocate(ext)
    }()

    nonisolated(unsafe) static let memory: UnsafePointer<trellis_memory_ext> = {
        var ext = trellis_memory_ext()
        ext.struct_size = UInt32(MemoryLayout<trellis_memory_ext>.size)
        ext.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        ext.abi_minor = UInt16(TRELLIS_ABI_MINOR)
        ext.recall = { call, agent, query, function, userData in AdapterExtensionCalls.memoryRecall(call, agent, query, function, userData) }
        ext.update = { call, agent, entry, function, userData in AdapterExtensionCalls.memoryUpdate(call, agent, entry, function, userData) }
        ext.recall_into = { call, agent, query, key, function, userData in
            AdapterExtensionCalls.memoryRecallInto(call, agent, query, key, function, userData)
        }
        ext.update_entry = { call, agent, entry, count, function, userData in
            AdapterExtensionCalls.memoryUpdateEntry(call, agent, entry, count, function, userData)
        }
        return allocate(ext)
    }()

    nonisolated(unsafe) static let tools: UnsafePointer<trellis_tools_ext> = {
        var ext = trellis_tools_ext()
        ext.struct_size = UInt32(MemoryLayout<trellis_tools_ext>.size)
        ext.abi_major = UInt16(TRELLIS_ABI_MAJOR)
        ext.abi_minor = UInt16(TRELLIS_ABI_MINOR)
        ext.dispatch = { call, json, function, userData in AdapterExtensionCalls.toolsDispatch(call, json, function, userData) }
        return allocate(ext)
    }()

    /// A process-lifetime copy of `value`.
    private static func allocate<T>(_ value: T) -> UnsafePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        return UnsafePointer(pointer)
    }
}
