/// The identity of the Swift toolchain this code was compiled with, in the form the ABI's
/// `toolchain` field uses: `swift-MAJOR.MINOR.PATCH`.
///
/// Swift has no stable ABI on Linux, so a Swift plugin must come from the same compiler as
/// the host. The SDK writes this value into a plugin's descriptor and the host compares it
/// with its own; both read this one table, so the two sides cannot spell a version differently.
/// The value is fixed at compile time (`#if compiler`), never looked up at run time.
public enum SwiftToolchain {
    /// `swift-6.3.1` and the like; `swift-unknown` for compilers outside the checked range.
    public static let identity: String = {
        #if compiler(>=6.5)
        return "swift-6.5-or-newer"
        #elseif compiler(>=6.4.3)
        return "swift-6.4.3"
        #elseif compiler(>=6.4.2)
        return "swift-6.4.2"
        #elseif compiler(>=6.4.1)
        return "swift-6.4.1"
        #elseif compiler(>=6.4)
        return "swift-6.4.0"
        #elseif compiler(>=6.3.3)
        return "swift-6.3.3"
        #elseif compiler(>=6.3.2)
        return "swift-6.3.2"
        #elseif compiler(>=6.3.1)
        return "swift-6.3.1"
        #elseif compiler(>=6.3)
        return "swift-6.3.0"
        #elseif compiler(>=6.2.3)
        return "swift-6.2.3"
        #elseif compiler(>=6.2.2)
        return "swift-6.2.2"
        #elseif compiler(>=6.2.1)
        return "swift-6.2.1"
        #elseif compiler(>=6.2)
        return "swift-6.2.0"
        #elseif compiler(>=6.1.2)
        return "swift-6.1.2"
        #elseif compiler(>=6.1.1)
        return "swift-6.1.1"
        #elseif compiler(>=6.1)
        return "swift-6.1.0"
        #elseif compiler(>=6.0.3)
        return "swift-6.0.3"
        #elseif compiler(>=6.0.2)
        return "swift-6.0.2"
        #elseif compiler(>=6.0.1)
        return "swift-6.0.1"
        #else
        return "swift-unknown"
        #endif
    }()
}
