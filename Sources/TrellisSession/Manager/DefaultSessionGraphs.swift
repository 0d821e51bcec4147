/// The default turn and heartbeat graphs, embedded so that `trellis chat` and
/// `trellis serve` work with no files at all. `Graphs/session/turn.dot` and
/// `Graphs/session/heartbeat.dot` hold the same text; files, when present, win.
public enum DefaultSessionGraphs {
    /// The default turn graph file, relative to the working directory.
    public static let turnPath = "Graphs/session/turn.dot"
    /// The default heartbeat graph file, relative to the working directory.
    public static let heartbeatPath = "Graphs/session/heartbeat.dot"

    /// The reference turn graph: classify, recall, call the model (looping through the tools it
    /// asks for), format, update memory.
    public static let turn = """
        // The default session turn graph: one walk per user message.
        // Node types are the built-in session handlers (TrellisSession.SessionHandlers).
        // When the model asks for tools, the turn loops through dispatch_tools and back to the
        // model (at most max_tool_rounds times, default 8) before formatting the reply.
        digraph session_turn {
            graph [label="session turn"]
            start          [shape=Mdiamond]
            classify       [type="session.classify", label="Classify input"]
            recall         [type="session.memory_recall", label="Recall memories"]
            call_llm       [type="session.llm_call", label="Call the model"]
            dispatch_tools [type="session.tool_dispatch", label="Run the tools the model asked for"]
            format         [type="session.format", label="Format reply"]
            update_memory  [type="session.memory_update", label="Update memory"]
            done           [shape=Msquare]

            start -> classify -> recall -> call_llm
            call_llm -> dispatch_tools [label="tool_call", condition="context.llm.response_type=tool_call"]
            call_llm -> format
            dispatch_tools -> call_llm
            format -> update_memory -> done
        }

        """

    /// The reference heartbeat graph: choose the cognitive mode, then consolidate memory.
    public static let heartbeat = """
        // The default session heartbeat graph: run on the session's interval between turns.
        // It chooses the cognitive mode, then consolidates long-term memory (merges old days into
        // digests and caps each agent's entries; see docs/memory.md).
        digraph session_heartbeat {
            graph [label="session heartbeat"]
            start       [shape=Mdiamond]
            select_mode [type="session.mode_select", label="Select cognitive mode"]
            consolidate [type="session.memory_consolidate", label="Consolidate memory"]
            done        [shape=Msquare]

            start -> select_mode -> consolidate -> done
        }

        """
}
