// libFuzzer target `dot`: the DOT parser, the validator and diagnostic rendering.
// Any input must give diagnostics, never a crash, a hang or a leak. Built by `scripts/fuzz`.
import TrellisDOT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDOT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = DOTParser.parse(bytes: bytes, file: "fuzz.dot")
    var diagnostics = parsed.diagnostics
    if let graph = parsed.graph {
        diagnostics += Validator.standard.validate(graph)
        // What `graph --dot` writes must parse again.
        _ = DOTParser.parse(DOTWriter.write(graph), file: "written.dot")
    }
    let lines = SourceLineIndex(String(decoding: bytes, as: UTF8.self))
    for diagnostic in diagnostics { _ = diagnostic.rendered(lines: lines) }
    return 0
}
