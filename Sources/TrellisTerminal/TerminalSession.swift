public import Foundation
import Synchronization
import TrellisCore
#if canImport(Glibc)
import Glibc
#endif

/// The terminal attributes to put back when the process ends, kept outside any lock so that
/// `TerminalSession.restoreTerminal()` can run in a signal handler or an `atexit` hook.
/// Written only before raw mode is switched on, and published through `savedInput`.
nonisolated(unsafe) private let savedAttributes = UnsafeMutablePointer<termios>.allocate(capacity: 1)
/// The descriptor raw mode was set on, or -1 when there is nothing to restore.
private let savedInput = Atomic<Int32>(-1)
/// Where to switch bracketed paste off again.
private let savedOutput = Atomic<Int32>(-1)
/// `atexit` hooks cannot be removed, so register one for the whole process.
private let exitHookRegistered = Atomic<Bool>(false)

/// The interactive side of `trellis chat`: a prompt with line editing and history on a
/// terminal, plain line reading on a pipe, behind one async API.
///
/// On a terminal (standard input and output both TTYs) the first `readLine(prompt:)` puts
/// the terminal in raw mode (`tcgetattr`/`tcsetattr`: no echo, no canonical mode, no
/// signal keys; output processing stays on so ordinary `print` still starts new lines at
/// column 0) and turns bracketed paste on. `close()` restores it; so does an `atexit` hook,
/// and a caller's SIGINT/SIGTERM handler should call `restoreTerminal()`.
///
/// A dedicated thread reads standard input (blocking reads never occupy Swift's
/// cooperative pool) and feeds a `KeyDecoder` and `LineEditor`. Keys typed while no prompt
/// is shown are kept and applied to the next prompt, except Ctrl-C, which goes to the
/// interrupt handler (`onInterrupt(_:)`) so a running turn can be cancelled.
///
/// On a pipe, `readLine(prompt:)` returns the next input line and shows no prompt, so the
/// output holds only what the caller prints.
///
/// Only one `readLine` may wait at a time. Output while a prompt is shown must go through
/// `printLine(_:)` or `write(_:)`, which lift the prompt out of the way and redraw it.
///
/// ```swift
/// let terminal = TerminalSession(historyPath: dataDirectory + "/chat-history")
/// defer { terminal.close() }
/// terminal.onInterrupt { currentTurn.withLock { $0?.cancel() } }   // Ctrl-C during a turn
/// loop: while true {
///     switch await terminal.readLine(prompt: "> ") {
///     case .line(let text): for try await token in answer(text) { terminal.write(token) }
///                           terminal.finishLine()
///     case .interrupted: continue          // Ctrl-C at the prompt: a fresh line
///     case .endOfInput: break loop
///     }
/// }
/// ```
///
/// Ctrl-Z stops the process as it would in cooked mode (the terminal is restored first and
/// raw mode comes back on `fg`).
public final class TerminalSession: Sendable {
    /// Whether line editing is on (input and output are terminals); false on pipes and files.
    public let isInteractive: Bool

    private let input: Int32
    private let output: Int32
    private let historyPath: String?
    /// Written to by `close()` to wake the input thread out of `poll`.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state: LockedValue<State>
    /// How long an unfinished escape sequence may wait before it counts as a lone Escape.
    private let escapeTimeoutMilliseconds: Int32

    private struct Reader {
        var id: UInt64
        var continuation: CheckedContinuation<LineResult, Never>
    }

    private struct State {
        var started = false
        var closed = false
        var original: termios?
        var history: CommandHistory
        var editor = LineEditor()
        var renderer = LineRenderer()
        var prompt = ""
        var reader: Reader?
        var nextReaderID: UInt64 = 0
        /// Keys typed while no prompt was shown.
        var typeahead: [Key] = []
        /// Lines read from a pipe before anyone asked for them.
        var lines: [String] = []
        var inputEnded = false
        /// Whether the last output ended a line, so a prompt or notice starts on a fresh one.
        var atLineStart = true
        var interruptHandler: (@Sendable () -> Void)?
    }

    /// A finished read, resumed after the lock is released.
    private typealias Completion = (continuation: CheckedContinuation<LineResult, Never>, result: LineResult)

    /// Creates a session on `input` and `output` (standard input and output by default).
    /// With `historyPath` the history is loaded from that file and saved to it after every
    /// added line (see `CommandHistory` for the rules); an unreadable file means no history.
    /// `escapeTimeout` is how long the rest of an escape sequence may take before the
    /// Escape counts as pressed alone (like vim's `ttimeoutlen`; raise it for slow links).
    /// Nothing on the terminal changes until the first `readLine(prompt:)`.
    public init(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, historyPath: String? = nil,
        historyLimit: Int = 1000, escapeTimeout: Duration = .milliseconds(50)
    ) {
        self.input = input
        escapeTimeoutMilliseconds = Int32(clamping: escapeTimeout.components.seconds * 1000 + escapeTimeout.components.attoseconds / 1_000_000_000_000_000)
        self.output = output
        self.historyPath = historyPath
        isInteractive = isatty(input) != 0 && isatty(output) != 0
        let history = historyPath.flatMap { try? CommandHistory(contentsOf: $0, limit: historyLimit) }
        state = LockedValue(State(history: history ?? CommandHistory(limit: historyLimit)))
        var descriptors: [Int32] = [-1, -1]
        // Close-on-exec: plugins and tools the chat starts must not hold the wake pipe.
        if pipe(&descriptors) == 0 {
            descriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        } else {
            descriptors = [-1, -1]
        }
        wakeRead = descriptors[0]
        wakeWrite = descriptors[1]
    }

    deinit {
        if wakeRead >= 0 { Glibc.close(wakeRead) }
        if wakeWrite >= 0 { Glibc.close(wakeWrite) }
    }

    /// The history as it stands (what Up walks through).
    public var history: CommandHistory {
        state.withLock { $0.history }
    }

    /// Shows `prompt` and waits for a line. On a terminal the user edits it (see
    /// `LineEditor` for the keys); Enter returns `.line`, Ctrl-C `.interrupted`, Ctrl-D on an
    /// empty line `.endOfInput`. Non-blank lines not starting with a space join the history.
    /// On a pipe it returns the next line, or `.endOfInput` when the input ends. Cancelling
    /// the calling task abandons the prompt and returns `.interrupted`.
    public func readLine(prompt: String) async -> LineResult {
        startIfNeeded()
        let id = state.withLock { state in
            state.nextReaderID += 1
            return state.nextReaderID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<LineResult, Never>) in
                let completions = state.withLock { state in
                    begin(id: id, prompt: prompt, continuation: continuation, state: &state)
                }
                completions.forEach { $0.continuation.resume(returning: $0.result) }
            }
        } onCancel: {
            let completions = state.withLock { state -> [Completion] in
                guard let reader = state.reader, reader.id == id else { return [] }
                if isInteractive {
                    let columns = self.columns
                    emit(state.renderer.finish(prompt: state.prompt, line: state.editor.line, columns: columns))
                    state.editor.reset(history: state.history.entries)
                }
                state.reader = nil
                return [(reader.continuation, .interrupted)]
            }
            completions.forEach { $0.continuation.resume(returning: $0.result) }
        }
    }

    /// Prints `text` as a line of its own. While a prompt is shown it is erased first and
    /// drawn again below the text, with what was typed and the cursor where they were (how
    /// reload notices appear without garbling the line being edited).
    public func printLine(_ text: String) {
        let body = text.hasSuffix("\n") ? text : text + "\n"
        state.withLock { state in
            if state.reader != nil && isInteractive {
                emit(state.renderer.clear() + body + state.renderer.redraw(
                    prompt: state.prompt, line: state.editor.line, cursor: state.editor.cursor, columns: columns))
            } else {
                emit((state.atLineStart ? "" : "\n") + body)
                state.atLineStart = true
            }
        }
    }

    /// Writes `text` as it is, for an answer streamed token by token; call `finishLine()`
    /// after the last token. While a prompt is shown this behaves like `printLine(_:)`.
    public func write(_ text: String) {
        guard !text.isEmpty else { return }
        state.withLock { state in
            if state.reader != nil && isInteractive {
                let body = text.hasSuffix("\n") ? text : text + "\n"
                emit(state.renderer.clear() + body + state.renderer.redraw(
                    prompt: state.prompt, line: state.editor.line, cursor: state.editor.cursor, columns: columns))
            } else {
                emit(text)
                state.atLineStart = text.hasSuffix("\n")
            }
        }
    }

    /// Ends the current output line if streamed text left it open.
    public func finishLine() {
        state.withLock { state in
            guard !state.atLineStart, state.reader == nil else { return }
            emit("\n")
            state.atLineStart = true
        }
    }

    /// Sets what Ctrl-C does while no prompt is shown (typically: cancel the running turn).
    /// It runs on the input thread and must not block. Without a handler Ctrl-C restores
    /// the terminal and raises SIGINT, as it would have without raw mode.
    public func onInterrupt(_ handler: (@Sendable () -> Void)?) {
        state.withLock { $0.interruptHandler = handler }
    }

    /// Restores the terminal, stops the input thread and ends a waiting `readLine` with
    /// `.endOfInput`. Call it before the process exits; calling it again does nothing.
    public func close() {
        let (completions, started, original) = state.withLock { state -> ([Completion], Bool, termios?) in
            guard !state.closed else { return ([], false, nil) }
            state.closed = true
            state.inputEnded = true
            var completions: [Completion] = []
            if let reader = state.reader {
                if isInteractive {
                    emit(state.renderer.finish(prompt: state.prompt, line: state.editor.line, columns: columns))
                }
                state.reader = nil
                completions.append((reader.continuation, .endOfInput))
            }
            return (completions, state.started, state.original)
        }
        if var original {
            Self.writeAll("\u{1B}[?2004l", to: output)
            tcsetattr(input, TCSADRAIN, &original)
            // The exit hook has nothing left to do for this descriptor.
            _ = savedInput.compareExchange(expected: input, desired: -1, ordering: .acquiringAndReleasing)
        }
        if started {
            var byte: UInt8 = 0
            _ = Glibc.write(wakeWrite, &byte, 1)
        }
        completions.forEach { $0.continuation.resume(returning: $0.result) }
    }

    /// Puts back the terminal attributes saved when raw mode was switched on, and switches
    /// bracketed paste off. Only async-signal-safe calls (`tcsetattr`, `write`), so it may be
    /// called from a SIGINT/SIGTERM handler; also registered with `atexit`. Idempotent.
    public static func restoreTerminal() {
        let input = savedInput.exchange(-1, ordering: .acquiringAndReleasing)
        guard input >= 0 else { return }
        let output = savedOutput.load(ordering: .acquiring)
        let off: StaticString = "\u{1B}[?2004l"
        if output >= 0 { _ = Glibc.write(output, off.utf8Start, off.utf8CodeUnitCount) }
        tcsetattr(input, TCSADRAIN, savedAttributes)
    }

    // MARK: - Reading

    /// Registers a read, draws the prompt and applies typeahead; returns reads that finished
    /// (possibly this one, straight away).
    private func begin(id: UInt64, prompt: String, continuation: CheckedContinuation<LineResult, Never>, state: inout State) -> [Completion] {
        precondition(state.reader == nil, "TerminalSession.readLine: only one read may wait at a time")
        if Task.isCancelled { return [(continuation, .interrupted)] }
        // After close() the terminal is cooked again: no prompt, even with typeahead left.
        if state.closed { return [(continuation, .endOfInput)] }
        guard isInteractive else {
            if !state.lines.isEmpty { return [(continuation, .line(state.lines.removeFirst()))] }
            if state.inputEnded { return [(continuation, .endOfInput)] }
            state.reader = Reader(id: id, continuation: continuation)
            return []
        }
        if state.inputEnded && state.typeahead.isEmpty { return [(continuation, .endOfInput)] }
        state.reader = Reader(id: id, continuation: continuation)
        state.prompt = prompt
        state.editor.reset(history: state.history.entries)
        state.renderer.reset()
        var text = state.atLineStart ? "" : "\r\n"
        text += state.renderer.redraw(prompt: prompt, line: "", cursor: 0, columns: columns)
        let typeahead = state.typeahead
        state.typeahead = []
        var completions: [Completion] = []
        var interrupts = 0
        text += apply(typeahead, state: &state, completions: &completions, interrupts: &interrupts)
        if state.inputEnded, let reader = state.reader {
            text += state.renderer.finish(prompt: state.prompt, line: state.editor.line, columns: columns)
            state.reader = nil
            completions.append((reader.continuation, .endOfInput))
        }
        emit(text)
        return completions
    }

    /// Feeds keys to the editor of the waiting read (or keeps them for the next one) and
    /// returns the text that shows the result.
    private func apply(_ keys: [Key], state: inout State, completions: inout [Completion], interrupts: inout Int) -> String {
        var text = ""
        for key in keys {
            if key == .control("z") {
                text += suspend(state: &state)
                continue
            }
            guard let reader = state.reader else {
                if key == .control("c") { interrupts += 1 } else { state.typeahead.append(key) }
                continue
            }
            let columns = self.columns
            let before = state.editor.line
            let result: LineResult
            switch state.editor.handle(key) {
            case .redraw:
                text += state.renderer.redraw(prompt: state.prompt, line: state.editor.line, cursor: state.editor.cursor, columns: columns)
                continue
            case .unchanged:
                continue
            case .clearScreen:
                state.renderer.reset()
                text += "\u{1B}[H\u{1B}[2J"
                text += state.renderer.redraw(prompt: state.prompt, line: state.editor.line, cursor: state.editor.cursor, columns: columns)
                continue
            case .submitted(let line):
                text += state.renderer.finish(prompt: state.prompt, line: line, columns: columns)
                if state.history.add(line) { saveHistory(state.history) }
                result = .line(line)
            case .interrupted:
                text += state.renderer.finish(prompt: state.prompt, line: before, columns: columns, suffix: "^C")
                result = .interrupted
            case .endOfInput:
                text += state.renderer.finish(prompt: state.prompt, line: before, columns: columns)
                result = .endOfInput
            }
            state.reader = nil
            state.atLineStart = true
            completions.append((reader.continuation, result))
        }
        return text
    }

    private func startIfNeeded() {
        let start = state.withLock { state in
            guard !state.started && !state.closed else { return false }
            state.started = true
            if isInteractive { state.original = enableRawMode() }
            return true
        }
        guard start else { return }
        let thread = Thread { [self] in
            nameCurrentThread("trellis-input")
            if isInteractive { readKeys() } else { readLines() }
        }
        thread.start()
    }

    /// Switches raw mode on and returns the attributes to restore, or nil if the terminal
    /// refused (then input stays cooked, which still works, just without editing).
    private func enableRawMode() -> termios? {
        var original = termios()
        guard tcgetattr(input, &original) == 0 else { return nil }
        savedAttributes.pointee = original
        savedOutput.store(output, ordering: .releasing)
        savedInput.store(input, ordering: .releasing)
        if !exitHookRegistered.exchange(true, ordering: .acquiringAndReleasing) {
            atexit { TerminalSession.restoreTerminal() }
        }
        var raw = Self.raw(original)
        // TCSADRAIN, not TCSAFLUSH: keys typed before the first prompt are kept.
        guard tcsetattr(input, TCSADRAIN, &raw) == 0 else {
            savedInput.store(-1, ordering: .releasing)
            return nil
        }
        emit("\u{1B}[?2004h")
        return original
    }

    /// `attributes` in raw mode: bytes arrive one by one, unechoed and untranslated, and
    /// Ctrl-C/Ctrl-Z are keys rather than signals. Output processing (`OPOST`) stays on.
    private static func raw(_ attributes: termios) -> termios {
        var raw = attributes
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        return raw
    }

    /// Ctrl-Z: with signal keys off the terminal sends no SIGTSTP, so do what it would have:
    /// put the terminal back, stop, and on `fg` return to raw mode and redraw the prompt.
    /// Returns the redraw text.
    private func suspend(state: inout State) -> String {
        guard var original = state.original else { return "" }
        var text = ""
        if state.reader != nil { text += state.renderer.clear() }
        emit(text + "\u{1B}[?2004l")
        tcsetattr(input, TCSADRAIN, &original)
        raise(SIGTSTP)
        // Running again (or SIGTSTP is ignored): back to raw mode.
        var raw = Self.raw(original)
        tcsetattr(input, TCSADRAIN, &raw)
        text = "\u{1B}[?2004h"
        if state.reader != nil {
            state.renderer.reset()
            text += state.renderer.redraw(prompt: state.prompt, line: state.editor.line, cursor: state.editor.cursor, columns: columns)
        }
        return text
    }

    /// The input thread on a terminal: bytes to keys to the editor.
    private func readKeys() {
        var decoder = KeyDecoder()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            switch wait(timeout: decoder.isAwaitingMore ? escapeTimeoutMilliseconds : -1) {
            case .closing:
                return
            case .timedOut:
                deliver(decoder.flush(), ended: false)
            case .readable:
                let count = read(input, &buffer, buffer.count)
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 {
                    // End of input, or EIO when the terminal went away.
                    deliver(decoder.flush(), ended: true)
                    return
                }
                deliver(decoder.decode(buffer[0..<count]), ended: false)
            }
        }
    }

    /// The input thread on a pipe: bytes to lines.
    private func readLines() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            switch wait(timeout: -1) {
            case .closing:
                return
            case .timedOut:
                continue
            case .readable:
                let count = read(input, &buffer, buffer.count)
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                var lines: [String] = []
                if count > 0 {
                    pending.append(contentsOf: buffer[0..<count])
                    while let newline = pending.firstIndex(of: 0x0A) {
                        var line = pending[..<newline]
                        if line.last == 0x0D { line = line.dropLast() }
                        lines.append(String(decoding: line, as: UTF8.self))
                        pending.removeFirst(newline + 1)
                    }
                } else if !pending.isEmpty {
                    lines.append(String(decoding: pending, as: UTF8.self))
                }
                deliver(lines: lines, ended: count <= 0)
                if count <= 0 { return }
            }
        }
    }

    private enum WaitResult { case readable, timedOut, closing }

    private func wait(timeout: Int32) -> WaitResult {
        var descriptors = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || descriptors[1].revents != 0 { return .closing }
            return ready == 0 ? .timedOut : .readable
        }
    }

    private func deliver(_ keys: [Key], ended: Bool) {
        var completions: [Completion] = []
        var interrupts = 0
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.closed else { return nil }
            var text = apply(keys, state: &state, completions: &completions, interrupts: &interrupts)
            if ended {
                state.inputEnded = true
                if let reader = state.reader {
                    text += state.renderer.finish(prompt: state.prompt, line: state.editor.line, columns: columns)
                    state.reader = nil
                    completions.append((reader.continuation, .endOfInput))
                }
            }
            emit(text)
            return state.interruptHandler
        }
        completions.forEach { $0.continuation.resume(returning: $0.result) }
        for _ in 0..<interrupts {
            if let handler {
                handler()
            } else {
                Self.restoreTerminal()
                raise(SIGINT)
            }
        }
    }

    private func deliver(lines: [String], ended: Bool) {
        let completions = state.withLock { state -> [Completion] in
            state.lines += lines
            if ended { state.inputEnded = true }
            guard let reader = state.reader else { return [] }
            if !state.lines.isEmpty {
                state.reader = nil
                return [(reader.continuation, .line(state.lines.removeFirst()))]
            }
            if state.inputEnded {
                state.reader = nil
                return [(reader.continuation, .endOfInput)]
            }
            return []
        }
        completions.forEach { $0.continuation.resume(returning: $0.result) }
    }

    // MARK: - Writing

    /// The terminal's width, asked each time so a resized window redraws right.
    private var columns: Int {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    private func saveHistory(_ history: CommandHistory) {
        // A history that cannot be saved is no reason to interrupt the conversation.
        guard let historyPath else { return }
        try? history.save(to: historyPath)
    }

    /// Writes to the output, after anything `print` buffered, so the order on screen is the
    /// order of the calls. Called with the state lock held, so writes never interleave.
    private func emit(_ text: String) {
        guard !text.isEmpty else { return }
        fflush(nil)
        Self.writeAll(text, to: output)
    }

    private static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
