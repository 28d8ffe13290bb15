import Foundation

/// Where the current time comes from: the system clock in production, a fixed or stepped time in
/// tests. Passed into the library (deploy, plan, pipelines) so that window decisions can be tested.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date

    /// Creates a clock reading `now`.
    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The system clock.
    public static let system = WallClock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> WallClock { WallClock { date } }
}
