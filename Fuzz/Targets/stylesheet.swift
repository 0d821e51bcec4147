// libFuzzer target `stylesheet`: the model stylesheet parser. Any text must parse or give a
// located syntax error. Built by `scripts/fuzz`.
import TrellisDOT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStylesheet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ModelStylesheetParser.parse(text)
    } catch {
        _ = error.description
    }
    return 0
}
