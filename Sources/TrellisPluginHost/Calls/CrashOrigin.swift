/// Whose code a call into a plugin runs — "plugin 'acme' (/path/libacme.so), node type
/// 'acme.summarize'" or "…, adapter 'acme.llm'" — kept as a C string that the crash handler can
/// write while the process dies (`PluginCrashContext`). Made once per node type or adapter at
/// registration, freed with it.
///
/// `@unchecked Sendable`: the bytes are written once, before any other thread can see them.
final class CrashOrigin: @unchecked Sendable {
    let text: UnsafeBufferPointer<CChar>

    init(_ origin: String) {
        let bytes = Array(origin.utf8CString.dropLast())
        let storage = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
        _ = storage.initialize(from: bytes)
        text = UnsafeBufferPointer(rebasing: storage[..<bytes.count])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: text.baseAddress)?.deallocate()
    }
}
