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

    /// When the timer must wake next: the earliest deadline, or, when another wait falls due
    /// within that wait's slack, the end of the slack, so that the two share one wake-up. A wait
    /// with no neighbour to share with ends on time rather than late by its slack. (The
    /// second-earliest deadline is one of the root's two children.) `nil` when empty.
    var wakeTime: Int64? {
        guard let first = entries.first else { return nil }
        guard entries.count > 1 else { return first.deadline }
        let second = entries.count > 2 ? min(entries[1].deadline, entries[2].deadline) : entries[1].deadline
        return second <= first.latest ? first.latest : first.deadline
    }
}
