/// `SharedTimer`'s waits ordered by deadline: a binary min-heap of plain integers.
///
/// An entry is 24 bytes, so that sifting it moves three words; sifts move entries into a hole
/// rather than swapping. (With `ContinuousClock.Instant` fields an entry was 40 bytes, copied
/// through `memmove` twice at every level of every sift: 1.9% of all samples with 10,000
/// sessions waiting on the simulated model.)
struct DeadlineHeap {
    /// One wait.
    struct Entry: Equatable {
        /// The deadline, in nanoseconds from the timer's epoch.
        var deadline: Int64
        /// The deadline plus the wait's slack: when the timer wakes for it at the latest.
        var latest: Int64
        /// The wait's id.
        var id: UInt64
    }

    private var entries: [Entry] = []

    /// The number of entries.
    var count: Int { entries.count }

    /// The entry with the earliest deadline (of several, any one).
    var first: Entry? { entries.first }

    /// Adds `entry`: it rises from the end, parents moving down into the hole it leaves.
    mutating func push(_ entry: Entry) {
        entries.append(entry)
        entries.withUnsafeMutableBufferPointer { heap in
            var hole = heap.count - 1
            while hole > 0 {
                let parent = (hole - 1) / 2
                guard entry.deadline < heap[parent].deadline else { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = entry
        }
    }

    /// Removes the entry with the earliest deadline (nothing when empty): the last entry sinks
    /// from the root, the smaller child moving up into the hole at each level.
    mutating func popMin() {
        guard let last = entries.popLast(), !entries.isEmpty else { return }
        entries.withUnsafeMutableBufferPointer { heap in
            var hole = 0
            while true {
                let left = 2 * hole + 1
                guard left < heap.count else { break }
                let right = left + 1
                let child = right < heap.count && heap[right].deadline < heap[left].deadline ? right : left
                guard heap[child].deadline < last.deadline else { break }
                heap[hole] = heap[child]
                hole = child
            }
            heap[hole] = last
        }
    }

    /// How many entries `wakeTime` looks at, at most, for waits due within the earliest one's
    /// slack; past that it takes the end of the slack.
    static let shareScanLimit = 64

    /// When the timer must wake next: the earliest deadline, or, when other waits fall due
    /// within that wait's slack, the last of their deadlines, so that all of them end in one
    /// wake-up, none later than the earliest one's slack allows. A wait with no neighbour to
    /// share with ends on time. `nil` when empty.
    ///
    /// Entries due within the slack are the top of the heap (a parent is never due after its
    /// children), so the search visits only them and their children; more than
    /// `shareScanLimit` of them (thousands of waits begun at once) and it takes the end of the
    /// slack instead. (Waking at the end of the slack whenever a neighbour fell within it ended
    /// the earliest wait a whole slack late, 50 µs of a 50 ms wait, even when every neighbour
    /// was due sooner.)
    var wakeTime: Int64? {
        guard let first = entries.first else { return nil }
        let limit = first.latest
        return entries.withUnsafeBufferPointer { heap in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.shareScanLimit) { stack in
                var wake = first.deadline
                var depth = 0, examined = 0
                stack[0] = 0  // indexes are trivial values: assigning initializes
                depth = 1
                while depth > 0 {
                    depth -= 1
                    let parent = stack[depth]
                    for child in (2 * parent + 1)...(2 * parent + 2) where child < heap.count && heap[child].deadline <= limit {
                        examined += 1
                        // Each entry pushed was examined, so the stack never holds more than this.
                        guard examined < Self.shareScanLimit else { return limit }
                        wake = max(wake, heap[child].deadline)
                        stack[depth] = child
                        depth += 1
                    }
                }
                return wake
            }
        }
    }
}
