// libFuzzer target `dot`: the DOT parser, the validator, diagnostic rendering and the DOT writer.
// Any input must give diagnostics, never a crash, a hang or a leak. Built by `scripts/fuzz`.
import TrellisDOT

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDOT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = DOTParser.parse(bytes: bytes, file: "fuzz.dot")
    var diagnostics = parsed.diagnostics
    if let graph = parsed.graph {
        diagnostics += Validator.standard.validate(graph)
        // What `graph --dot` writes for a graph that parsed cleanly parses back, without an
        // error, to an equal graph (DOTWriter's promise). fatalError, not precondition: an
        // optimized build drops a precondition's message.
        if !parsed.hasErrors {
            let written = DOTWriter.write(graph)
            let again = DOTParser.parse(written, file: "written.dot")
            if again.hasErrors {
                fatalError("the DOT written for a parsed graph does not parse: \(again.diagnostics.map { $0.rendered(source: written) })\n\(written)")
            }
            if again.graph != graph { fatalError("the DOT written for a parsed graph parses to another graph:\n\(written)") }
        }
    }
    let lines = SourceLineIndex(String(decoding: bytes, as: UTF8.self))
    for diagnostic in diagnostics { _ = diagnostic.rendered(lines: lines) }
    return 0
}
