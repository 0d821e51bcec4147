import CTrellisPlugin
import TrellisCore

/// One plugin image as `dlopen` mapped it: the staged copy of one content hash and the checked
/// descriptor. Kept for the life of the process (the image is never unloaded), across any
/// number of activations (`init` … `shutdown`), at most one at a time.
///
/// `@unchecked Sendable`: immutable apart from `activations` (behind its lock); the function
/// pointers belong to an image that is never unloaded.
final class PluginLibrary: @unchecked Sendable {
    typealias InitFunction = @convention(c) (UnsafePointer<trellis_host_api>?, OpaquePointer?) -> trellis_status

    let id: String
    let version: String
    let summary: String
    let toolchain: String
    let abiMajor: Int
    let abiMinor: Int
    let stagedPath: String
    let initialize: InitFunction

    struct Activations {
        /// The activation serving now, while anything holds it.
        weak var current: PluginActivation?
        /// Activations created and not yet shut down (the current one, and retired ones whose
        /// `shutdown` has not returned yet).
        var unfinished = 0
    }

    let activations = LockedValue(Activations())

    init(id: String, version: String, summary: String, toolchain: String, abiMajor: Int, abiMinor: Int, stagedPath: String,
         initialize: InitFunction) {
        self.id = id
        self.version = version
        self.summary = summary
        self.toolchain = toolchain
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.stagedPath = stagedPath
        self.initialize = initialize
    }
}
