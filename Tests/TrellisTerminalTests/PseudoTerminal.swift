import TrellisCore
import Foundation
import Glibc
@testable import TrellisTerminal

/// A real pseudo-terminal for tests: the session gets the terminal side, the test types into
/// the controlling side and reads what the session drew.
final class PseudoTerminal: Sendable {
    /// The side a program sees as its terminal.
    let terminal: Int32
    /// The side a terminal emulator holds: writes are keystrokes, reads are the screen output.
    let controller: Int32
    private let received = LockedValue<[UInt8]>([])

    init(columns: UInt16 = 80) throws {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&controller, &terminal, nil, nil, &size) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        self.controller = controller
        self.terminal = terminal
        _ = fcntl(controller, F_SETFL, fcntl(controller, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(controller)
        close(terminal)
    }

    /// Types `text` as the terminal emulator would send it.
    func type(_ text: String) {
        type(Array(text.utf8))
    }

    /// Sends raw bytes.
    func type(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
    }

    /// Everything the session wrote so far, as text.
    var output: String {
        drain()
        return received.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Waits (bounded) until the output contains `text`; returns whether it did.
    func waitForOutput(containing text: String, within limit: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return output.contains(text)
    }

    /// Forgets the output read so far, so the next wait looks only at what comes after.
    func clearOutput() {
        drain()
        received.withLock { $0.removeAll() }
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(controller, &buffer, buffer.count)
            guard count > 0 else { return }
            received.withLock { $0 += buffer[0..<count] }
        }
    }
}
