/// The default turn and heartbeat graphs, embedded so that `trellis chat` and
/// `trellis serve` work with no files at all. `Graphs/session/turn.dot` and
/// `Graphs/session/heartbeat.dot` hold the same text; files, when present, win.
public enum DefaultSessionGraphs {
    /// The default turn graph file, relative to the working directory.
    public static let turnPath = "Graphs/session/turn.dot"
    /// The default heartbeat graph file, relative to the working directory.
    public static let heartbeatPath = "Graphs/session/heartbeat.dot"

    /// The reference turn graph: classify, recall, call the model, format, update memory.
    public static let turn = """
        // The default session turn graph: one walk per user message.
        // Node types are the built-in session handlers (TrellisSession.SessionHandlers).
        digraph session_turn {
            graph [label="session turn"]
            start         [shape=Mdiamond]
            classify      [type="session.classify", label="Classify input"]
            recall        [type="session.memory_recall", label="Recall memories"]
            call_llm      [type="session.llm_call", label="Call the model"]
            format        [type="session.format", label="Format reply"]
            update_memory [type="session.memory_update", label="Update memory"]
            done          [shape=Msquare]

            start -> classify -> recall -> call_llm -> format -> update_memory -> done
        }

        """

    /// The reference heartbeat graph: choose the cognitive mode.
    public static let heartbeat = """
        // The default session heartbeat graph: run on the session's interval between turns.
        digraph session_heartbeat {
            graph [label="session heartbeat"]
            start       [shape=Mdiamond]
            select_mode [type="session.mode_select", label="Select cognitive mode"]
            done        [shape=Msquare]

            start -> select_mode -> done
        }

        """
}
