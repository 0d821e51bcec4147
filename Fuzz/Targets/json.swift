// libFuzzer target `json`: the strict JSON reader. Any text must be read or refused with the
// byte where it stops being JSON; what is read must write back as JSON that reads as the same
// value, and a list must read the same as a compact `MessageList` of it. Built by `scripts/fuzz`.
import TrellisCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var locating = JSONReader(text, recordingLocations: true)
    _ = try? locating.readDocument()
    guard let value = try? ContextValue(jsonText: text) else { return 0 }
    let written = value.jsonText
    let reread: ContextValue
    do {
        reread = try ContextValue(jsonText: written)
    } catch {
        fatalError("the JSON written for a value read from \(text.debugDescription) does not read back: \(error.reason): \(written)")
    }
    if reread != value {
        // fatalError, not precondition: an optimized build drops a precondition's message.
        fatalError("the JSON written for \(text.debugDescription) reads back as another value: \(written)")
    }
    // A list must read the same as the compact message list a session keeps it in: equal both
    // ways, the same hash, the same JSON, every item back as it was.
    if case .list(let items) = value {
        let messages = MessageList(items)
        let compact = ContextValue.messages(messages)
        guard compact == value, value == compact, compact.hashValue == value.hashValue, compact.jsonText == written,
              Array(messages) == items else {
            fatalError("the compact message list of \(text.debugDescription) does not read as the list: \(compact.jsonText)")
        }
    }
    return 0
}
