import Synchronization

/// The file names that source locations refer to, numbered once per process.
///
/// A process parses a bounded set of files (its graphs, reloaded as they change), so names
/// are kept for the life of the process rather than counted by their users.
enum SourceFileNames {
    private struct Table {
        var numbers: [String: UInt32] = [:]
        var names: [String] = []
    }

    private static let table = Mutex(Table())

    /// The number of `name`, assigned on first use.
    static func number(of name: String) -> UInt32 {
        table.withLock { table in
            if let number = table.numbers[name] { return number }
            let number = UInt32(table.names.count)
            table.names.append(name)
            table.numbers[name] = number
            return number
        }
    }

    /// The name numbered `number`.
    static func name(of number: UInt32) -> String {
        table.withLock { $0.names[Int(number)] }
    }
}
