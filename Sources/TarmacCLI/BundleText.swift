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

    /// The summary of `bundle --base`: what the delta needs and carries.
    static func delta(_ outcome: DeltaBuildOutcome) {
        let delta = outcome.delta
        let target = delta.target
        let files = target.files.filter { $0.type == .file }.count
        Console.say(
            "delta of \(target.application) \(target.revision) from \(delta.record.baseRevision) as \(delta.format.rawValue): "
                + "carries \(delta.delta.sent.count) of \(files) files (\(ByteCount.text(delta.delta.sentBytes))), "
                + "reuses \(delta.delta.reused.count) (\(ByteCount.text(delta.delta.reusedBytes)))")
        Console.say(
            "needs revision \(delta.record.baseRevision) installed (manifest sha256 \(delta.record.baseManifestSHA256))"
        )
        Console.say("full bundle \(outcome.full.path)")
        Console.say("sha256 \(delta.sha256)")
        if let sig = outcome.signaturePath {
            Console.say("signature \(sig)\(sig.hasSuffix(BundleStatement.suffix) ? " (+ .sig)" : "")")
        }
    }
}
