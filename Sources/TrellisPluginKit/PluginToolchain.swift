/// The toolchain identity a Swift plugin reports in its descriptor (`swift-MAJOR.MINOR.PATCH`).
///
/// A Swift image must run on the exact Swift runtime it was compiled for, so the host
/// refuses a plugin whose identity differs from its own. The value is fixed when the SDK is
/// compiled (`#if compiler`), never looked up at run time.
public enum PluginToolchain {
    /// This build's toolchain identity, for example `swift-6.3.1`.
    public static let identifier: String = "swift-" + version

    // The same table as the host's check (TrellisPluginHost.SwiftToolchain): both sides must spell a version alike.
    #if compiler(>=6.5)
    static let version = "6.5-or-newer"
    #elseif compiler(>=6.4.3)
    static let version = "6.4.3"
    #elseif compiler(>=6.4.2)
    static let version = "6.4.2"
    #elseif compiler(>=6.4.1)
    static let version = "6.4.1"
    #elseif compiler(>=6.4)
    static let version = "6.4.0"
    #elseif compiler(>=6.3.3)
    static let version = "6.3.3"
    #elseif compiler(>=6.3.2)
    static let version = "6.3.2"
    #elseif compiler(>=6.3.1)
    static let version = "6.3.1"
    #elseif compiler(>=6.3)
    static let version = "6.3.0"
    #elseif compiler(>=6.2.3)
    static let version = "6.2.3"
    #elseif compiler(>=6.2.2)
    static let version = "6.2.2"
    #elseif compiler(>=6.2.1)
    static let version = "6.2.1"
    #elseif compiler(>=6.2)
    static let version = "6.2.0"
    #elseif compiler(>=6.1.2)
    static let version = "6.1.2"
    #elseif compiler(>=6.1.1)
    static let version = "6.1.1"
    #elseif compiler(>=6.1)
    static let version = "6.1.0"
    #elseif compiler(>=6.0.3)
    static let version = "6.0.3"
    #elseif compiler(>=6.0.2)
    static let version = "6.0.2"
    #elseif compiler(>=6.0.1)
    static let version = "6.0.1"
    #else
    static let version = "unknown"
    #endif
}
