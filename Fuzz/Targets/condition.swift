// libFuzzer target `condition`: the edge condition parser. Any text must parse or give a
// located syntax error, never overflow the stack (parsing or releasing the tree). Built by `scripts/fuzz`.
import TrellisDOT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCondition(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ConditionParser.parse(text)
    } catch {
        _ = error.description
    }
    return 0
}
