import Foundation
import TarmacCore

/// A block of lines at the bottom of a terminal, one per host with what it is doing now,
/// redrawn in place; messages worth keeping scroll above it.
struct LiveBoard {
    private var names: [String]
    private var states: [String]
    private var drawn = 0
    private let width: Int
    /// A line under the hosts: a bake's countdown and its last check round (issue 14).
    var footer: String?

    /// Whether stderr is a terminal that understands cursor movement.
    static var available: Bool {
        isatty(2) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" } ?? false
    }

    init(hosts: [String]) {
        names = hosts
        states = Array(repeating: "waiting", count: hosts.count)
        width = min(hosts.map(\.count).max() ?? 0, 24)
    }

    mutating func set(_ index: Int, _ state: String) {
        states[index] = state
    }

    /// Prints `line` above the block and redraws it.
    mutating func print(_ line: String?) {
        var out = drawn > 0 ? "\u{1B}[\(drawn)A\r\u{1B}[J" : ""
        if let line { out += VisibleText.escape(line) + "\n" }
        for (name, state) in zip(names, states) {
            let row = name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0) + "  " + state
            out += VisibleText.escape(row, keepingNewlines: false) + "\n"
        }
        if let footer { out += VisibleText.escape(footer, keepingNewlines: false) + "\n" }
        drawn = names.count + (footer == nil ? 0 : 1)
        FileHandle.standardError.write(Data(out.utf8))
    }
}
