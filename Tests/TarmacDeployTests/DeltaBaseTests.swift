import Foundation
import TarmacCore
import Testing

@testable import TarmacDeploy

/// `DeltaBase`: the apply-side decision on a host's installed base, from its records alone.
@Suite struct DeltaBaseTests {
    static func manifest(_ revision: String, _ files: [BundleManifest.File]) -> BundleManifest {
        BundleManifest(
            application: "app", commit: revision, commitTime: 1, revision: revision, format: "tar.gz",
            appspec: "appspec.yml", files: files)
    }

    static func file(_ path: String, _ sha: String) -> BundleManifest.File {
        BundleManifest.File(path: path, type: .file, mode: "0644", size: 1, sha256: String(repeating: sha, count: 64))
    }

    static func encoded(_ manifest: BundleManifest) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(manifest)) + [0x0A]
    }

    /// SHA-256 of bytes, with sha256sum (the test does not trust the code it checks).
    static func hex(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "/delta-base-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: out, as: UTF8.self).prefix(64))
    }

    let base = manifest("r1", [file("appspec.yml", "a"), file("a.txt", "b"), file("gone.txt", "c")])
    let target = manifest("r2", [file("appspec.yml", "a"), file("a.txt", "d"), file("new.txt", "e")])

    func installed(_ manifest: BundleManifest) throws -> (InstalledBase, String) {
        let bytes = try Self.encoded(manifest)
        let sha = try Self.hex(bytes)
        let checksum = Array(BundleManifest.checksumText(sha256: sha).utf8)
        return (InstalledBase.from(directory: "/var/lib/tarmac/g/d-1", checksum: checksum, manifest: bytes), sha)
    }

    func record(_ sha: String) -> DeltaRecord {
        DeltaRecord(baseRevision: "r1", baseCommit: "r1", baseCommitTime: 1, baseManifestSHA256: sha)
    }

    @Test func theNamedBaseIsAcceptedWithTheDeltaBetweenTheManifests() throws {
        let (host, sha) = try installed(base)
        let decision = DeltaBase.decide(record: record(sha), target: target, targetManifestSHA256: "t", installed: host)
        guard case .accept(let source) = decision else { Issue.record("refused: \(decision)"); return }
        #expect(source.baseDeploymentDirectory == "/var/lib/tarmac/g/d-1")
        #expect(source.delta == BundleDelta.between(base: base, target: target))
        #expect(source.delta.reused.map(\.path) == ["appspec.yml"])
        #expect(source.targetManifestSHA256 == "t")
        #expect(source.baseFiles == base.files)
        #expect(source.baseManifestSHA256 == sha)
    }

    @Test func anotherRevisionIsRefusedNamingBoth() throws {
        let (host, _) = try installed(Self.manifest("r0", [Self.file("x", "f")]))
        let (_, wanted) = try installed(base)
        let decision = DeltaBase.decide(
            record: record(wanted), target: target, targetManifestSHA256: "t", installed: host)
        guard case .refuse(let message) = decision else { Issue.record("accepted"); return }
        #expect(message.hasPrefix("this delta needs revision r1 installed; this host has r0 "))
    }

    @Test func noInstallIsRefused() {
        let decision = DeltaBase.decide(
            record: record(String(repeating: "0", count: 64)), target: target, targetManifestSHA256: "t", installed: nil
        )
        #expect(
            decision
                == .refuse(
                    "this delta needs revision r1 installed; this host has no revision (apply the full bundle first)"))
    }

    @Test func aBaseWithoutAManifestOrWithADamagedOneIsRefused() throws {
        let (_, sha) = try installed(base)
        let none = InstalledBase.from(directory: "/d", checksum: nil, manifest: nil)
        let bytes = try Self.encoded(base)
        let damaged = InstalledBase.from(
            directory: "/d", checksum: Array(BundleManifest.checksumText(sha256: sha).utf8), manifest: bytes + [0x20])
        #expect(damaged.manifestSHA256 == nil && damaged.problem?.contains("damaged") == true)
        for host in [none, damaged] {
            let decision = DeltaBase.decide(
                record: record(sha), target: target, targetManifestSHA256: "t", installed: host)
            guard case .refuse(let message) = decision else { Issue.record("accepted"); continue }
            #expect(
                message.hasPrefix("this delta needs revision r1 installed; this host has no revision tarmac can name"))
        }
    }
}

extension DeltaBaseTests {
    @Test func theSameRevisionBundledInAnotherFormatIsRefusedSayingSo() throws {
        var zst = base
        zst.format = "tar.zst"
        let (host, _) = try installed(zst)
        let (_, wanted) = try installed(base)
        let decision = DeltaBase.decide(
            record: record(wanted), target: target, targetManifestSHA256: "t", installed: host)
        guard case .refuse(let message) = decision else { Issue.record("accepted"); return }
        #expect(message.contains("this host has r1 too, but bundled differently"))
        #expect(message.contains("(tar.zst)"))
    }
}
