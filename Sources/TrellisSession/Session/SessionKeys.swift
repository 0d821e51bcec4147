import TrellisEngine

/// The session context key names, by the name the session's own code uses. The list itself is
/// TrellisCore's `SessionContextKeys`, shared with plugins (which do not link this module).
public typealias SessionKeys = SessionContextKeys
