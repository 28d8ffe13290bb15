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
        report.hasDeltaMember = deltaBytes != nil
        report.mismatches += deltaProblems
        if let manifestBytes {
            let digest = SHA256.hash(data: manifestBytes).hex
            report.manifestSHA256 = digest
            let expected = BundleManifest.checksumText(sha256: digest)
            if checksumBytes.map({ String(decoding: $0, as: UTF8.self) }) != expected {
                report.mismatches.append(
                    checksumBytes == nil
                        ? "\(BundleManifest.checksumMemberPath) is missing: the manifest cannot be checked"
                        : "the manifest is damaged: its SHA-256 does not match \(BundleManifest.checksumMemberPath)")
            }
            do {
                let manifest = try BundleManifest.decode(manifestBytes)
                report.manifest = manifest
                report.mismatches += compare(manifest, delta: deltaBytes != nil)
                if deltaBytes != nil { (report.delta, report.mismatches) = deltaSummary(manifest, report.mismatches) }
            } catch {
                report.mismatches.append("the manifest \(BundleManifest.memberPath) cannot be read: \(error)")
            }
        }
        if deltaBytes != nil && manifestBytes == nil {
            report.mismatches.append("\(DeltaRecord.memberPath) is in a bundle without a manifest")
        }
        let wrapper = manifestBytes == nil ? wrapperDirectory() : nil
        report.wrapperDirectory = wrapper
        // After every member is known: duplicates, files over directories, names over the
        // host's limits, symlink chains — on the revision as a host unpacks it (a delta's
        // with the files it takes from the base).
        report.hostile += MemberRules.problems(report.revisionFiles + reusedFiles(report))
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
            file.path.hasPrefix(root + "/") && !file.path.dropFirst(root.count + 1).containsASCII("/")
                && file.path.lowercased().dropFirst(root.count + 1).contains("appspec")
        }
        return holdsAppSpec ? root : nil
    }

    /// The delta record read and summed up, or one more mismatch when it cannot be read.
    func deltaSummary(_ manifest: BundleManifest, _ mismatches: [String]) -> (BundleReport.DeltaSummary?, [String]) {
        let record: DeltaRecord
        do {
            record = try DeltaRecord.decode(deltaBytes ?? [])
        } catch {
            return (nil, mismatches + ["\(DeltaRecord.memberPath) cannot be read: \(error)"])
        }
        guard record.deltaVersion == DeltaRecord.currentVersion else {
            return (
                nil,
                mismatches + [
                    "\(DeltaRecord.memberPath) has delta_version \(record.deltaVersion); this tarmac reads \(DeltaRecord.currentVersion)"
                ]
            )
        }
        guard ManifestCache.isDigest(record.baseManifestSHA256) else {
            return (nil, mismatches + ["\(DeltaRecord.memberPath): base_manifest_sha256 is not a SHA-256 in hex"])
        }
        let present = Set(files.map(\.path))
        let targetFiles = manifest.files.filter { $0.type == .file }
        let carried = targetFiles.filter { present.contains($0.path) }
        let reused = targetFiles.filter { !present.contains($0.path) }
        let summary = BundleReport.DeltaSummary(
            record: record, carriedFiles: carried.count, carriedBytes: carried.reduce(0) { $0 + $1.size },
            reusedFiles: reused.count, reusedBytes: reused.reduce(0) { $0 + $1.size })
        return (summary, mismatches)
    }

    /// The manifest's regular files a delta does not carry (none for a full bundle).
    func reusedFiles(_ report: BundleReport) -> [BundleManifest.File] {
        guard report.hasDeltaMember, let manifest = report.manifest else { return [] }
        let present = Set(report.revisionFiles.map(\.path))
        return manifest.files.filter { $0.type == .file && !present.contains($0.path) }
    }

    /// Every difference between the members and the manifest, by path. A delta may leave out
    /// regular files (the host has them); never a directory or a symlink.
    func compare(_ manifest: BundleManifest, delta: Bool = false) -> [String] {
        var problems: [String] = []
        let found = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let listed = Dictionary(manifest.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for expected in manifest.files {
            guard let actual = found[expected.path] else {
                if delta && expected.type == .file { continue }
                problems.append(
                    "\(expected.path): listed in the manifest but missing from the \(delta ? "delta (a delta carries every directory and symlink)" : "bundle")"
                )
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
