/// What one `TerminalSession.readLine(prompt:)` produced.
public enum LineResult: Hashable, Sendable {
    /// The user pressed Enter (or a pipe delivered a line); the text has no line terminator.
    case line(String)
    /// Ctrl-C at the prompt, or the reading task was cancelled. The prompt line has been
    /// abandoned; the caller decides whether that means "clear the line" (read again) or more.
    case interrupted
    /// Ctrl-D on an empty line, or the input ended (the pipe or terminal closed).
    case endOfInput
}
