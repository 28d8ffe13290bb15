import TarmacBundle
import TarmacCore

/// The human report of `tarmac inspect`, on stderr.
struct InspectText {
    var report: BundleReport
    var appspec: InspectAppSpec

    func print() {
        let say = Console.say
        say("bundle      \(report.path)")
        if let manifest = report.manifest {
            say("application \(manifest.application)")
            say("revision    \(manifest.revision)")
            say("commit      \(manifest.commit)")
        } else if report.hasManifestMember {
            say("application (unknown: the manifest is damaged)")
        } else {
            say("application (not a tarmac bundle: no manifest)")
            if let wrapper = report.wrapperDirectory { say("wrapper     \(wrapper)/ (stripped, as CodeDeploy does)") }
        }
        say("format      \(report.format)")
        say("sha256      \(report.sha256)")
        let files = report.files.filter { $0.type != .directory }
        say("files       \(files.count) (\(ByteCount.text(report.totalSize)))")
        if report.hasDeltaMember { say("delta       \(Self.deltaLine(report))") }
        printAppSpec()
        printVerification()
    }

    /// "from <rev>: needs revision <rev> (manifest sha256 …) installed on the host; carries N of M files, B bytes".
    static func deltaLine(_ report: BundleReport) -> String {
        guard let delta = report.delta else { return "(the delta record is damaged)" }
        let base = delta.record.baseRevision
        return
            "from \(base): needs revision \(base) (manifest sha256 \(delta.record.baseManifestSHA256)) installed on the host; "
            + "carries \(delta.carriedFiles) of \(delta.targetFiles) files, \(delta.carriedBytes) bytes "
            + "(reuses \(delta.reusedFiles), \(delta.reusedBytes) bytes)"
    }

    private func printAppSpec() {
        if appspec.fromBase {
            Console.say(
                "appspec     \(report.manifest?.appspec ?? "appspec.yml") (unchanged since the base: not in this delta)"
            )
            return
        }
        guard let spec = appspec.spec else {
            Console.say("appspec     invalid")
            Console.diagnostics(appspec.diagnostics)
            return
        }
        Console.say("appspec     \(report.appspecName ?? "appspec.yml")")
        for mapping in spec.files {
            Console.say("  files       \(mapping.source.isEmpty ? "/" : mapping.source) → \(mapping.destination)")
        }
        for permission in spec.permissions {
            var parts = [permission.object, "pattern \(permission.pattern)"]
            if let mode = permission.mode { parts.append("mode \(mode)") }
            if let owner = permission.owner { parts.append("owner \(owner)") }
            if let group = permission.group { parts.append("group \(group)") }
            if !permission.acls.isEmpty {
                parts.append("acls \(permission.acls.map(\.description).joined(separator: ","))")
            }
            Console.say("  permission  " + parts.joined(separator: ", "))
        }
        for event in spec.hooks {
            for script in event.scripts {
                let runas = script.runas.map { " as \($0)" } ?? ""
                Console.say("  hook        \(event.name): \(script.location) (timeout \(script.timeout)s\(runas))")
            }
        }
        Console.diagnostics(appspec.diagnostics.filter { $0.severity != .error })
    }

    private func printVerification() {
        let say = Console.say
        if report.manifest != nil {
            let matches = report.hasDeltaMember ? "every file it carries matches" : "every file matches"
            say(report.mismatches.isEmpty ? "manifest    \(matches)" : "manifest    MISMATCH")
        }
        for problem in report.mismatches { say("  error: \(problem)") }
        if !report.hostile.isEmpty { say("hostile     \(report.hostile.count) member(s) refused") }
        for problem in report.hostile { say("  error: \(problem)") }
        for warning in report.warnings { say("  warning: \(warning)") }
        switch report.signature {
        case .absent: say("signature   absent")
        case .valid(let signer, let trusted):
            say(
                "signature   valid, by \(signer)"
                    + (trusted ? " (trusted)" : " (not checked against a trusted key; pass --trust-key)"))
        case .invalid(let reason): say("signature   INVALID: \(reason)")
        }
        if let manifest = report.manifest { say("sequence    \(manifest.commitTime) (the commit's committer time)") }
        if let statement = report.statement {
            say(
                "statement   signed \(BundleStatement.format(statement.signedAt)), expires \(BundleStatement.format(statement.expires))"
            )
        }
        say(
            report.isTrustworthy && !appspec.diagnostics.hasErrors
                ? (report.delta != nil
                    ? "verified (a delta: apply it only where its base revision is installed)" : "verified")
                : "error: this bundle must not be installed")
    }
}
