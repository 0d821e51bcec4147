import CTrellisPlugin

/// The plugin ABI version this host implements (`TRELLIS_ABI_MAJOR.TRELLIS_ABI_MINOR` of the header it was built with).
public enum PluginABIVersion {
    /// The major version: plugins must match it.
    public static let major = Int(TRELLIS_ABI_MAJOR)
    /// The minor version: plugins may be built against this one or an older one.
    public static let minor = Int(TRELLIS_ABI_MINOR)
    /// `major.minor`.
    public static var version: String { "\(major).\(minor)" }
}
