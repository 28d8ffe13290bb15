import TarmacBundle
import TarmacCore

/// What `bundle`, `deploy` and `plan` say about a bundle they built.
enum BundleText {
    /// The revision's warnings, and what the working tree has that the bundle does not.
    static func warnings(_ outcome: BundleOutcome, hint: String) {
        Console.diagnostics(outcome.warnings)
        guard !outcome.notInBundle.isEmpty else { return }
        Console.say("note: the working tree has changes that are not in this bundle (\(hint)):")
        for entry in outcome.notInBundle.prefix(20) {
            Console.say("  \(entry.isUntracked ? "untracked" : "modified ") \(entry.path)")
        }
        if outcome.notInBundle.count > 20 { Console.say("  … and \(outcome.notInBundle.count - 20) more") }
    }
}
