import Foundation
import TarmacCore

/// How a deployment treats its group's `window`.
public enum WindowPolicy: Sendable {
    /// Not checked: rollbacks (they repair), and pipeline stages (they wait for the window first).
    case ignore
    /// Refused outside the window, the time read from the clock.
    case enforce(WallClock)
    /// Started whatever the window says (`--outside-window`), by this person; recorded when the
    /// window is in fact closed.
    case overridden(by: String, WallClock)
}

/// Where a group's window stands at a moment.
public enum WindowState: Sendable, Equatable {
    /// The group has no window: deployments may start any time.
    case always
    case open(DeploymentWindow)
    /// Closed; `opensAt` is nil when it does not open within `DeploymentWindow.searchDays`.
    case closed(DeploymentWindow, opensAt: Date?)

    /// The state of `group`'s window at `now`.
    public init(_ group: DeploymentGroup, now: Date) {
        guard let window = group.window else {
            self = .always
            return
        }
        self = window.isOpen(at: now) ? .open(window) : .closed(window, opensAt: window.nextOpening(atOrAfter: now))
    }

    /// `window "* 9-16 * * MON-FRI" Europe/Berlin is closed; it next opens 2026-12-07 09:00 Europe/Berlin (… UTC)`.
    public var description: String {
        switch self {
        case .always: "no deployment window: deployments may start any time"
        case .open(let window): "window \(window) is open"
        case .closed(let window, let opensAt):
            "window \(window) is closed; "
                + (opensAt.map { "it next opens \(window.describe($0))" }
                    ?? "it does not open in the next \(DeploymentWindow.searchDays) days")
        }
    }
}

extension DeploymentOrder {
    /// Refuses a deployment the window does not allow now; returns who overrode a closed window.
    public func checkWindow() throws(DeploymentRefusal) -> String? {
        switch windowPolicy {
        case .ignore:
            return nil
        case .enforce(let clock):
            let state = WindowState(group, now: clock.now())
            if case .closed = state { throw DeploymentRefusal.outsideWindow(group: group.name, state) }
            return nil
        case .overridden(let person, let clock):
            if case .closed = WindowState(group, now: clock.now()) { return person }
            return nil
        }
    }
}
