/// One line a build command printed, without its newline.
public struct BuildLine: Sendable, Equatable {
    /// Which of the command's output streams the line came from.
    public enum Stream: String, Sendable, Equatable {
        case stdout
        case stderr
    }

    /// The command's position in `pipeline.build.commands`, from 0.
    public var command: Int
    public var stream: Stream
    public var text: String

    /// A line `text` that command `command` printed on `stream`.
    public init(command: Int, stream: Stream, text: String) {
        self.command = command
        self.stream = stream
        self.text = text
    }
}
