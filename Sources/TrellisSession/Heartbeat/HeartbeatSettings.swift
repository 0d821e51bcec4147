/// Whether and how often a session heartbeats.
///
/// Defaults per session type (`HeartbeatSettings.defaults(for:)`):
/// primary every 30 s, background every 10 s (it works on its own, so it thinks more
/// often), delegation and consultation not at all (they live for one task or question).
public struct HeartbeatSettings: Sendable, Equatable {
    /// Whether the session heartbeats.
    public var enabled: Bool
    /// The time between heartbeats.
    public var interval: Duration

    /// Creates settings.
    public init(enabled: Bool, interval: Duration) {
        self.enabled = enabled
        self.interval = interval
    }

    /// The documented default for `type`.
    public static func defaults(for type: SessionType) -> HeartbeatSettings {
        switch type {
        case .primary: return HeartbeatSettings(enabled: true, interval: .seconds(30))
        case .background: return HeartbeatSettings(enabled: true, interval: .seconds(10))
        case .delegation, .consultation: return HeartbeatSettings(enabled: false, interval: .seconds(30))
        }
    }
}

/// Heartbeat settings per session type, starting from the documented defaults.
public struct HeartbeatPolicy: Sendable, Equatable {
    private var byType: [SessionType: HeartbeatSettings]

    /// The documented defaults for every type.
    public init() {
        var table: [SessionType: HeartbeatSettings] = [:]
        for type in SessionType.allCases { table[type] = .defaults(for: type) }
        byType = table
    }

    /// The settings of `type`.
    public subscript(type: SessionType) -> HeartbeatSettings {
        get { byType[type] ?? .defaults(for: type) }
        set { byType[type] = newValue }
    }

    /// Every type with heartbeats off (benchmarks and tests that trigger heartbeats by hand).
    public static var disabled: HeartbeatPolicy {
        var policy = HeartbeatPolicy()
        for type in SessionType.allCases { policy[type].enabled = false }
        return policy
    }
}
