import Foundation
import TrellisCore

/// Reads lines from a file descriptor on a dedicated thread (blocking reads never occupy the
/// cooperative pool) and delivers them as an async stream that ends at end of input.
public enum LineReader {
    /// One line of input.
    public enum Line: Sendable, Equatable {
        /// A line, without its newline.
        case text(String)
        /// A line longer than the limit: its bytes were read and dropped, never held.
        case tooLong(bytes: Int)
    }

    /// The lines of `descriptor`; a line of more than `maximumLineBytes` bytes is reported as
    /// `.tooLong` and costs no memory beyond the limit.
    public static func lines(from descriptor: Int32, maximumLineBytes: Int = .max) -> AsyncStream<Line> {
        let (stream, continuation) = AsyncStream.makeStream(of: Line.self, bufferingPolicy: .unbounded)
        let limit = max(1, maximumLineBytes)
        let thread = Thread {
            nameCurrentThread("trellis-lines")
            var pending: [UInt8] = []
            var dropped = 0  // bytes of an over-long line read so far, once it is over the limit
            var buffer = [UInt8](repeating: 0, count: 65_536)
            func take(_ bytes: ArraySlice<UInt8>) {
                if dropped > 0 {
                    dropped += bytes.count
                } else if pending.count + bytes.count > limit {
                    dropped = pending.count + bytes.count
                    pending.removeAll()
                } else {
                    pending.append(contentsOf: bytes)
                }
            }
            func endLine() {
                if dropped > 0 {
                    continuation.yield(.tooLong(bytes: dropped))
                } else {
                    continuation.yield(.text(String(decoding: pending, as: UTF8.self)))
                }
                pending.removeAll(keepingCapacity: true)
                dropped = 0
            }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                var start = 0
                for index in 0..<count where buffer[index] == 0x0A {
                    take(buffer[start..<index])
                    endLine()
                    start = index + 1
                }
                take(buffer[start..<count])
            }
            if !pending.isEmpty || dropped > 0 { endLine() }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}
