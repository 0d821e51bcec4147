import Testing
@testable import TrellisCore

/// `DeadlineHeap`, the order `SharedTimer` ends its waits in.
@Suite struct DeadlineHeapTests {
    /// Pushes and pops interleaved, with repeated deadlines: every pop takes an earliest
    /// deadline, and nothing is lost or duplicated.
    @Test func popsComeOutInDeadlineOrder() {
        var generator = SystemRandomNumberGenerator()
        var heap = DeadlineHeap()
        var pending: [Int64: Int] = [:]  // deadline -> entries not yet popped
        var pushed = 0, popped = 0
        for round in 0..<5_000 {
            if round % 3 != 2 || heap.count == 0 {
                let deadline = Int64.random(in: 0..<500, using: &generator)
                heap.push(DeadlineHeap.Entry(deadline: deadline, latest: deadline + 5, id: UInt64(round)))
                pending[deadline, default: 0] += 1
                pushed += 1
            } else {
                let first = try! #require(heap.first)
                #expect(first.deadline == pending.keys.min(), "round \(round)")
                pending[first.deadline]! -= 1
                if pending[first.deadline] == 0 { pending[first.deadline] = nil }
                heap.popMin()
                popped += 1
            }
        }
        var last = Int64.min
        while let first = heap.first {
            #expect(first.deadline >= last)
            last = first.deadline
            heap.popMin()
            popped += 1
        }
        #expect(popped == pushed)
        heap.popMin()  // empty: nothing happens
        #expect(heap.count == 0 && heap.first == nil)
    }

    /// The timer wakes for the earliest deadline, or for the last of the waits due within its
    /// slack, so that all of them end in one wake-up; with more of those than it looks through,
    /// at the end of the slack.
    @Test func wakeTimeSharesAWakeUpOnlyWithinTheSlack() {
        var heap = DeadlineHeap()
        #expect(heap.wakeTime == nil)
        heap.push(DeadlineHeap.Entry(deadline: 1_000, latest: 1_050, id: 1))
        #expect(heap.wakeTime == 1_000)
        heap.push(DeadlineHeap.Entry(deadline: 2_000, latest: 2_050, id: 2))
        #expect(heap.wakeTime == 1_000)
        heap.push(DeadlineHeap.Entry(deadline: 1_040, latest: 1_090, id: 3))
        #expect(heap.wakeTime == 1_040)
        // Deeper in the heap than the root's children, and still within the slack.
        for (offset, deadline) in [1_010, 1_020, 1_045, 1_060, 1_005].enumerated() {
            heap.push(DeadlineHeap.Entry(deadline: Int64(deadline), latest: Int64(deadline) + 50, id: UInt64(10 + offset)))
        }
        #expect(heap.wakeTime == 1_045)
        heap.popMin()
        #expect(heap.first?.deadline == 1_005)
        #expect(heap.wakeTime == 1_045)
    }

    @Test func manyWaitsWithinTheSlackWakeAtItsEnd() {
        var heap = DeadlineHeap()
        for index in 0..<(DeadlineHeap.shareScanLimit * 2) {
            heap.push(DeadlineHeap.Entry(deadline: 1_000 + Int64(index % 40), latest: 1_050 + Int64(index % 40), id: UInt64(index)))
        }
        #expect(heap.wakeTime == 1_050)
        var few = DeadlineHeap()
        for index in 0..<(DeadlineHeap.shareScanLimit - 2) {
            few.push(DeadlineHeap.Entry(deadline: 1_000 + Int64(index % 40), latest: 1_050 + Int64(index % 40), id: UInt64(index)))
        }
        #expect(few.wakeTime == 1_039)
    }
}
