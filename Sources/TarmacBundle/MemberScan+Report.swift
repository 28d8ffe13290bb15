import Crypto
import TarmacCore

extension MemberScan {
    /// Turns the pass into a report: manifest checks for tarmac bundles, wrapper stripping
    /// and AppSpec discovery for everyone.
    func report(path: String, sha256: String, format: String) -> BundleReport {
        var report = BundleReport(
            path: path, sha256: sha256, format: format, manifest: nil, hasManifestMember: manifestBytes != nil,
            files: files,
            wrapperDirectory: nil, appspecName: nil, appspecText: nil,
            hostile: hostile, mismatches: [], signature: .absent)
        if let manifestProblem { report.mismatches.append(manifestProblem) }
        if let manifestBytes {
            let expected = BundleManifest.checksumText(sha256: SHA256.hash(data: manifestBytes).hex)
            if checksumBytes.map({ String(decoding: $0, as: UTF8.self) }) != expected {
                report.mismatches.append(
                    checksumBytes == nil
                        ? "\(BundleManifest.checksumMemberPath) is missing: the manifest cannot be checked"
                        : "the manifest is damaged: its SHA-256 does not match \(BundleManifest.checksumMemberPath)")
            }
            do {
                let manifest = try BundleManifest.decode(manifestBytes)
                report.manifest = manifest
                report.mismatches += compare(manifest)
            } catch {
                report.mismatches.append("the manifest \(BundleManifest.memberPath) cannot be read: \(error)")
            }
        }
        let wrapper = manifestBytes == nil ? wrapperDirectory() : nil
        report.wrapperDirectory = wrapper
        // After every member is known: duplicates, files over directories, names over the
        // host's limits, symlink chains — on the revision as a host unpacks it.
        report.hostile += MemberRules.problems(report.revisionFiles)
        report.warnings = warnings
        let prefix = wrapper.map { $0 + "/" } ?? ""
        for name in report.manifest.map({ [$0.appspec] }) ?? RevisionSnapshot.appspecNames {
            if let bytes = appspecCandidates[prefix + name] {
                report.appspecName = name
                report.appspecText = String(decoding: bytes, as: UTF8.self)
                break
            }
        }
        return report
    }

    /// CodeDeploy's rule (spec §1.1): exactly one root entry, a directory, holding a member
    /// whose name contains "appspec" — then its contents are the revision.
    func wrapperDirectory() -> String? {
        let roots = Set(files.map { $0.path.split(separator: "/").first.map(String.init) ?? $0.path })
        guard roots.count == 1, let root = roots.first,
            files.contains(where: { $0.path == root && $0.type == .directory })
                || files.contains(where: { $0.path.hasPrefix(root + "/") })
        else { return nil }
        let holdsAppSpec = files.contains { file in
            file.path.hasPrefix(root + "/") && !file.path.dropFirst(root.count + 1).contains("/")
                && file.path.lowercased().dropFirst(root.count + 1).contains("appspec")
        }
        return holdsAppSpec ? root : nil
    }

    /// Every difference between the members and the manifest, by path.
    func compare(_ manifest: BundleManifest) -> [String] {
        var problems: [String] = []
        let found = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let listed = Dictionary(manifest.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for expected in manifest.files {
            guard let actual = found[expected.path] else {
                problems.append("\(expected.path): listed in the manifest but missing from the bundle")
                continue
            }
            if actual.type != expected.type {
                problems.append(
                    "\(expected.path): is a \(actual.type.rawValue), the manifest says \(expected.type.rawValue)")
            } else if expected.type == .file && (actual.size != expected.size || actual.sha256 != expected.sha256) {
                problems.append(
                    "\(expected.path): content differs from the manifest (sha256 \(actual.sha256 ?? "-"), expected \(expected.sha256 ?? "-"))"
                )
            } else if expected.type != .symlink && actual.mode != expected.mode {
                problems.append("\(expected.path): mode \(actual.mode), the manifest says \(expected.mode)")
            } else if expected.type == .symlink && actual.target != expected.target {
                problems.append(
                    "\(expected.path): symlink points to \(actual.target ?? "-"), the manifest says \(expected.target ?? "-")"
                )
            }
        }
        for actual in files where listed[actual.path] == nil {
            problems.append("\(actual.path): in the bundle but not in the manifest")
        }
        return problems
    }
}
