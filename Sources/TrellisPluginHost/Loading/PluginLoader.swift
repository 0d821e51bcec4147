import CTrellisPlugin
import TrellisCore
import TrellisEngine

#if canImport(Glibc)
import Glibc
#endif

/// Loads one plugin file: opened once and checked through that descriptor (its mode, owner and
/// every directory up to `/`), ELF check and content-addressed staging of the bytes read from
/// it, `dlopen` of the staged copy through its own descriptor (`RTLD_NOW | RTLD_LOCAL |
/// RTLD_NODELETE`, never `dlclose`), descriptor checks (ABI version, struct sizes, toolchain),
/// then `init` and registration. What was checked is what is loaded: no path is opened twice.
public enum PluginLoader {
    /// Failed or finished `dlopen`s by content hash: an image is mapped once per process. While
    /// an activation of it serves, loading the same bytes again (another host, another path, a
    /// restored file) shares that activation; once it was retired (its `shutdown` has run), a
    /// load runs `init` again: a new activation.
    private static let libraries = LockedValue<[String: Result<PluginLibrary, PluginLoadError>]>([:])
    /// Serializes `dlopen` + `init` so two hosts never initialize one image twice.
    private static let loading = LockedValue(())

    /// The smallest descriptor of ABI 1.0 (the size of the 1.0 fields; later minors only append).
    static let descriptorMinimumSize = MemoryLayout<trellis_plugin_descriptor>.offset(of: \trellis_plugin_descriptor.`init`)!
        + MemoryLayout<UnsafeRawPointer?>.size

    /// Loads the plugin at `file`, staging it under `staging`.
    static func load(file: String, staging: PluginStaging) throws(PluginLoadError) -> LoadedPlugin {
        let checked = try FileSecurity.openChecked(file: file)
        return try load(checked, file: file, staging: staging)
    }

    /// Loads the plugin from `checked`, the file opened and checked as `file`.
    static func load(_ checked: borrowing CheckedFile, file: String, staging: PluginStaging) throws(PluginLoadError) -> LoadedPlugin {
        let bytes: [UInt8]
        do { bytes = try checked.bytes() } catch { throw PluginLoadError(.unreadable, file: file, error.reason) }
        let elf: ELFImage
        do {
            elf = try ELFImage(bytes)
            if try elf.exportsSymbol(TRELLIS_PLUGIN_ENTRY_SYMBOL) == false {
                throw PluginLoadError(.noEntrySymbol, file: file,
                    "the library does not export \(TRELLIS_PLUGIN_ENTRY_SYMBOL), so it is not a Trellis plugin; a plugin defines "
                    + "'const trellis_plugin_descriptor *\(TRELLIS_PLUGIN_ENTRY_SYMBOL)(void)' with default visibility (see trellis_plugin.h)")
            }
        } catch let problem as ELFImage.Problem {
            switch problem {
            case .notELF(let reason): throw PluginLoadError(.notELF, file: file, "not an ELF shared library: \(reason)")
            case .unusable(let reason): throw PluginLoadError(.notELF, file: file, "not a loadable shared library: \(reason)")
            }
        } catch let error as PluginLoadError {
            throw error
        } catch {
            throw PluginLoadError(.notELF, file: file, "\(error)")
        }
        let hash = ContentHash.hex(of: bytes)
        switch cachedOrLoad(hash: hash, file: file, bytes: bytes, staging: staging) {
        case .success(let activation): return LoadedPlugin(file: file, activation: activation)
        case .failure(let error): throw PluginLoadError(error.kind, file: file, error.reason)
        }
    }

    /// What `plugins inspect` shows for `file`, or why it cannot be loaded.
    public static func inspect(file: String, staging: PluginStaging = .userDefault) -> Result<PluginInfo, PluginLoadError> {
        do {
            return .success(try load(file: file, staging: staging).info)
        } catch {
            return .failure(error)
        }
    }

    private static func cachedOrLoad(hash: String, file: String, bytes: [UInt8], staging: PluginStaging) -> Result<PluginActivation, PluginLoadError> {
        loading.withLockHeld {
            let library: PluginLibrary
            switch libraries.withLock({ $0[hash] }) {
            case .success(let known)?:
                library = known
            case .failure(let error)?:
                return .failure(error)
            case nil:
                do throws(PluginLoadError) {
                    let staged = try staging.stage(bytes, hash: hash)
                    library = try open(staged: staged, file: file)
                } catch {
                    // Staging problems are not properties of the image: do not remember them.
                    if error.kind != .unreadable && error.kind != .insecure { libraries.withLock { $0[hash] = .failure(error) } }
                    return .failure(error)
                }
                libraries.withLock { $0[hash] = .success(library) }
            }
            do throws(PluginLoadError) {
                return .success(try activate(library, file: file))
            } catch {
                // An image whose init fails never serves; remember that, as for a bad image.
                if library.activations.withLock({ $0.unfinished }) == 0 { libraries.withLock { $0[hash] = .failure(error) } }
                return .failure(error)
            }
        }
    }

    /// The activation of `library` serving now, or a new one: `init` runs (again, after the
    /// previous activation's `shutdown` has returned).
    private static func activate(_ library: PluginLibrary, file: String) throws(PluginLoadError) -> PluginActivation {
        if let current = library.activations.withLock({ $0.current }) { return current }
        guard PluginRetirement.awaitShutdowns(of: library) else {
            throw PluginLoadError(.initFailed, file: file,
                "plugin '\(library.id)': the shutdown of its previous activation (same bytes) has not returned after "
                + "\(DurationText.describe(PluginRetirement.shutdownWait)), so init cannot run again yet; shutdown must not block")
        }
        let image = try initialize(library, file: file)
        let activation = PluginActivation(library: library, image: image, file: file)
        library.activations.withLock { $0.current = activation }
        return activation
    }

    private static func open(staged: StagedCopy, file: String) throws(PluginLoadError) -> PluginLibrary {
        _ = dlerror()
        guard let handle = dlopen(staged.loaderPath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dynamic loader error"
            close(staged.descriptor)
            throw PluginLoadError(.dynamicLoader, file: file, "dlopen failed: \(reason); check that the libraries it links against are installed")
        }
        // Never dlclose: a Swift image cannot be unloaded safely, and RTLD_NODELETE keeps C images too.
        // Nor close `staged.descriptor`: the loader knows the image by its /proc/self/fd name.
        guard let symbol = dlsym(handle, TRELLIS_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError(.noEntrySymbol, file: file, "the library does not export \(TRELLIS_PLUGIN_ENTRY_SYMBOL), so it is not a Trellis plugin")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<trellis_plugin_descriptor>?
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let descriptorPointer = entry() else {
            throw PluginLoadError(.invalidPlugin, file: file, "\(TRELLIS_PLUGIN_ENTRY_SYMBOL)() returned NULL instead of a descriptor")
        }
        let version = VersionedStruct.header(descriptorPointer)
        let host = "\(TRELLIS_ABI_MAJOR).\(TRELLIS_ABI_MINOR)"
        let plugin = "\(version.major).\(version.minor)"
        if Int(version.major) != Int(TRELLIS_ABI_MAJOR) {
            throw PluginLoadError(.abiMismatch, file: file,
                "built for plugin ABI \(plugin) but this host speaks ABI \(host) (major versions differ); rebuild the plugin against this host's trellis_plugin.h")
        }
        if Int(version.minor) > Int(TRELLIS_ABI_MINOR) {
            throw PluginLoadError(.abiMismatch, file: file,
                "built for plugin ABI \(plugin), newer than this host's ABI \(host); upgrade the host or rebuild the plugin against the host's trellis_plugin.h")
        }
        if Int(version.size) < descriptorMinimumSize {
            throw PluginLoadError(.structTooSmall, file: file,
                "its descriptor (trellis_plugin_descriptor) is \(version.size) bytes but ABI \(plugin) needs at least \(descriptorMinimumSize); "
                + "set struct_size with TRELLIS_HEADER_INIT(trellis_plugin_descriptor) and rebuild")
        }
        let descriptor = VersionedStruct.read(descriptorPointer, over: trellis_plugin_descriptor())
        let id = registrationString(descriptor.id)
        guard isValidPluginID(id) else {
            throw PluginLoadError(.invalidPlugin, file: file,
                "invalid plugin id '\(id)': use lowercase letters, digits, '_' and '-', starting with a letter")
        }
        let toolchain = registrationString(descriptor.toolchain)
        if !toolchain.isEmpty && toolchain != SwiftToolchain.identity {
            throw PluginLoadError(.toolchainMismatch, file: file,
                "plugin '\(id)' was built with \(toolchain) but this host was built with \(SwiftToolchain.identity); "
                + "Swift has no stable ABI on Linux, so rebuild the plugin with the host's toolchain")
        }
        guard let initialize = descriptor.`init` else {
            throw PluginLoadError(.invalidPlugin, file: file, "plugin '\(id)' has no init function in its descriptor")
        }
        PluginCrashContext.registerImage(base: PluginCrashContext.imageBase(of: symbol), pluginID: id, file: file)
        return PluginLibrary(id: id, version: registrationString(descriptor.version), summary: registrationString(descriptor.description),
                             toolchain: toolchain, abiMajor: Int(version.major), abiMinor: Int(version.minor), stagedPath: staged.path,
                             initialize: initialize)
    }

    /// Runs the plugin's `init` and returns what it registered.
    private static func initialize(_ library: PluginLibrary, file: String) throws(PluginLoadError) -> PluginImage {
        let id = library.id
        let registrar = PluginRegistrar(pluginID: id, file: file)
        let status = registrar.during { handle in
            PluginCrashContext.duringLifecycle(pluginID: id, file: file, phase: "init") { library.initialize(HostFunctionTable.table, handle) }
        }
        if status != trellis_status(TRELLIS_OK) {
            // A plugin that gives up because the host refused one of its registrations usually
            // passes the failure on without a message of its own: the refusal is the reason.
            let refusals = registrar.problems.map(\.reason).joined(separator: "; ")
            let message = registrar.initError.map { "init failed: \($0)" }
                ?? (refusals.isEmpty ? nil : "init failed after the host refused a registration: \(refusals)")
                ?? "init returned status \(status) without a message (the plugin should call registrar_set_error)"
            throw PluginLoadError(.initFailed, file: file, "plugin '\(id)': \(message)")
        }
        if let first = registrar.problems.first {
            let reasons = registrar.problems.map(\.reason).joined(separator: "; ")
            throw PluginLoadError(first.kind, file: file, "plugin '\(id)': the host refused a registration: \(reasons)")
        }
        return PluginImage(library: library, nodeTypes: registrar.nodeTypes, adapters: registrar.adapters, shutdown: registrar.shutdown)
    }

    private static func isValidPluginID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}
