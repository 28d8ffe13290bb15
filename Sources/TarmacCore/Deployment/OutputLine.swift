import Foundation

/// Which stream of a hook a line came from.
public enum HookStream: String, Codable, Sendable, CaseIterable {
    case stdout
    case stderr
}

/// One line of hook output, as captured while a deployment ran.
public struct OutputLine: Sendable, Equatable {
    public var time: Date
    public var host: String
    public var event: String
    public var stream: HookStream
    public var text: String

    /// A line of `host`'s output during `event`, received at `time`.
    public init(time: Date, host: String, event: String, stream: HookStream, text: String) {
        self.time = time
        self.host = host
        self.event = event
        self.stream = stream
        self.text = text
    }
}
