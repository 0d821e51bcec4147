#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses the Graphviz DOT language, plus the pipeline dialect's qualified keys (`manager.actions`)
/// and unquoted durations (`30s`), into a `Graph`.
///
/// The whole language is accepted: `strict`, `graph`/`digraph`, node, edge and attribute
/// statements, `ID = ID`, subgraphs (named, anonymous, nested, as edge endpoints), chained
/// edges, ports and compass points, keywords in any case, quoted strings with `\"`,
/// line continuation and `+`, HTML strings, `//`, `/* */` and `#` lines, UTF-8 with or
/// without a byte order mark, LF or CRLF. Defaults and merges follow Graphviz.
/// Errors are diagnostics with rule `syntax`; parsing carries on after each one so a file's
/// errors are reported together. Subgraphs may nest at most 1,000 levels deep.
public enum DOTParser {
    /// The deepest subgraph nesting accepted; deeper input is an error, never a crash.
    public static var maximumNestingDepth: Int { DOTSyntaxParser.maximumNestingDepth }

    /// Parses `text`; `file` names it in diagnostics (a path, or a label such as `<stdin>`).
    public static func parse(_ text: String, file: String) -> ParseResult {
        var text = text
        return text.withUTF8 { parse(buffer: $0, file: file) }
    }

    /// Parses UTF-8 `bytes`; invalid UTF-8 inside IDs is replaced by U+FFFD.
    public static func parse(bytes: [UInt8], file: String) -> ParseResult {
        bytes.withUnsafeBufferPointer { parse(buffer: $0, file: file) }
    }

    /// The parser reads the input through a pointer that is valid only while this call runs.
    private static func parse(buffer: UnsafeBufferPointer<UInt8>, file: String) -> ParseResult {
        var parser = DOTSyntaxParser(bytes: buffer, file: file)
        return parser.parse()
    }

    /// Reads and parses the file at `path`; diagnostics name it by `path`.
    public static func parse(fileAt path: String) throws(DOTFileError) -> ParseResult {
        parse(bytes: try readFile(at: path), file: path)
    }

    /// The bytes of the file at `path`, read without Foundation.
    static func readFile(at path: String) throws(DOTFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DOTFileError(path: path, reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw DOTFileError(path: path, reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) != S_IFDIR else { throw DOTFileError(path: path, reason: "it is a directory") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(Int(status.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DOTFileError(path: path, reason: lastErrorText())
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    private static func lastErrorText() -> String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }
}
