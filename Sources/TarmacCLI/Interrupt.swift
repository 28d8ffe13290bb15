import Foundation
import Synchronization

/// Ctrl-C during a deployment: the first asks it to stop after the event in flight (exit 130),
/// the second ends tarmac at once. Hooks run in sessions of their own, so neither reaches them.
enum Interrupt {
    private static let count = Atomic<Int>(0)

    /// True once Ctrl-C was pressed.
    static var requested: Bool { count.load(ordering: .relaxed) > 0 }

    /// Installs the handler (replacing an inherited "ignore", as in a background job).
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let previous = Interrupt.count.add(1, ordering: .relaxed).oldValue
            let text: StaticString =
                previous == 0
                ? "\ninterrupted: finishing the event in flight, then stopping (Ctrl-C again to abort now and stop the hooks)\n"
                : "\naborted\n"
            _ = text.withUTF8Buffer { write(2, $0.baseAddress, $0.count) }
            if previous > 0 { _exit(130) }
        }
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
    }
}
