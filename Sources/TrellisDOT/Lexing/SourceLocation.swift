/// A position in a source file: 1-based line and column (columns count Unicode scalars).
///
/// The file name is held as a number in `SourceFileNames`, so a location is plain data: the
/// parser stamps one on every node, edge and attribute value, and copying a `String` there
/// would cost reference counting on each copy.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name's number in `SourceFileNames`.
    let fileNumber: UInt32
    // Stored in 32 bits: the parser stamps a location on every value, so 12 bytes instead of
    // 24 shrinks every attribute of every node and edge. Larger numbers are clamped.
    private var storedLine: UInt32
    private var storedColumn: UInt32

    /// 1-based line number.
    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(clamping: newValue) }
    }

    /// 1-based column number, counted in Unicode scalars.
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(clamping: newValue) }
    }

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.init(fileNumber: SourceFileNames.number(of: file), line: line, column: column)
    }

    /// Creates a location in a file already numbered (the parser numbers its file once).
    init(fileNumber: UInt32, line: Int, column: Int) {
        self.fileNumber = fileNumber
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    /// The file name as given to the parser (a path, or a label such as `<stdin>`).
    public var file: String { SourceFileNames.name(of: fileNumber) }

    /// `file:line:column`, the form editors and compilers use.
    public var description: String { "\(file):\(line):\(column)" }
}
