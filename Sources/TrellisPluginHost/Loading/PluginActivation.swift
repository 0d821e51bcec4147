import TrellisCore

/// One activation of a plugin image: what one `init` registered, alive while anything uses it.
///
/// Everything that can still reach the plugin's code for this activation holds it: the host's
/// record of the file (`LoadedPlugin`), each generation's handlers and adapters (and so every
/// run and session that took one), every asynchronous call still pending, every adapter
/// operation not yet answered. When the last of them lets go, the activation is retired: the
/// shutdown function the plugin set (`registrar_set_shutdown`) runs on `PluginRetirement`'s
/// thread, after every call has finished.
/// The registrations (`image`) do not point back here, so nothing keeps an activation alive
/// but its users.
final class PluginActivation: Sendable {
    let library: PluginLibrary
    let image: PluginImage
    /// The plugin file whose load ran `init` (named in a crash report from `shutdown`).
    let file: String

    init(library: PluginLibrary, image: PluginImage, file: String) {
        self.library = library
        self.image = image
        self.file = file
        library.activations.withLock { $0.unfinished += 1 }
    }

    deinit {
        PluginRetirement.retire(library, shutdown: image.shutdown, pluginID: image.id, file: file)
    }
}
