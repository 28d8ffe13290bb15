import TarmacCore

/// Everything that makes a revision unfit to bundle, found before a byte is written:
/// the AppSpec against the revision's own files, the reserved manifest directory,
/// names that are not UTF-8, and submodules (whose files never enter a bundle).
enum RevisionValidator {
    /// The hook scripts an AppSpec names, so their bytes can be read for the CRLF/BOM checks.
    static func scriptLocations(_ appspecText: String) -> [String] {
        let (spec, _) = AppSpec.parse(appspecText, file: "appspec.yml")
        return spec?.hooks.flatMap { $0.scripts.map(\.location) } ?? []
    }

    /// The revision paths the AppSpec's `files` mappings copy, each installed on its own.
    static func fileSources(_ appspecText: String) -> [String] {
        let (spec, _) = AppSpec.parse(appspecText, file: "appspec.yml")
        return spec?.files.map(\.sourcePath) ?? []
    }

    static func validate(_ snapshot: RevisionSnapshot) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let rootName = snapshot.root.isEmpty ? "the revision root" : "\(snapshot.root)/"
        if let text = snapshot.appspecText {
            findings += AppSpec.parse(text, file: snapshot.appspecDisplayPath, tree: snapshot.tree).1
        } else {
            let top = snapshot.tree.entries.keys.filter { !$0.containsASCII("/") }.sorted()
            let holds = top.isEmpty ? "it is empty" : "it holds " + top.prefix(12).joined(separator: ", ")
            findings.append(
                .error(
                    "no appspec.yml or appspec.yaml at \(rootName) of \(snapshot.revisionID.prefix(12)); \(holds). "
                        + "Add an appspec.yml there (tarmac init writes a skeleton) or set bundle.root in tarmac.yml",
                    at: SourceLocation(file: snapshot.appspecDisplayPath, line: 0, column: 0)))
        }
        if snapshot.tree.contains(BundleManifest.reservedDirectory) {
            findings.append(
                .error(
                    "\(rootName) contains \(BundleManifest.reservedDirectory)/, which tarmac reserves for the bundle manifest; "
                        + "rename it or move it out of the bundle root"))
        }
        for path in snapshot.unreadablePaths {
            findings.append(
                .error(
                    "the file name \(path.debugDescription) is not valid UTF-8; rename it so every host can install it")
            )
        }
        for path in snapshot.submodules {
            findings.append(
                .warning(
                    "\(path) is a submodule: its files are not in the bundle (only an empty directory is); "
                        + "vendor them into the repository if the application needs them"))
        }
        return findings
    }
}
