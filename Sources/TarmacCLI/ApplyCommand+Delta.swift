import ArgumentParser
import Crypto
import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine
import TarmacHost

extension ApplyCommand {
    /// For a delta bundle: reads this host's installed base for the group, accepts the delta
    /// only where the base's manifest is the one it names, and takes an AppSpec the delta does
    /// not carry from the base. Exit 2 and nothing changed otherwise. Nil for a full bundle.
    func checkDelta(_ staged: inout StagedBundle) async throws -> AppliedDelta? {
        guard let summary = staged.delta, let target = staged.report.manifest,
            let targetSHA256 = staged.report.manifestSHA256
        else { return nil }
        let layout = HostLayout(root: deploymentRoot, groupID: groupID(staged))
        let reader = DeltaBaseReader(transport: LocalTransport(), layout: layout)
        let installed: InstalledBase?
        do {
            installed = try await reader.read()
        } catch let problem as HostRecords.Problem {
            throw refusal(problem.description, exit: problem.unsafe ? Exit.invalidInput : Exit.failed)
        }
        let decision = DeltaBase.decide(
            record: summary.record, target: target, targetManifestSHA256: targetSHA256, installed: installed)
        guard case .accept(let source) = decision, let installed else {
            if case .refuse(let message) = decision { throw refusal(message, exit: Exit.invalidInput) }
            throw refusal("the delta cannot be applied", exit: Exit.invalidInput)
        }
        if staged.appspecFromBase {
            staged.appspecText = try await baseAppSpec(target, installed: installed, reader: reader)
        }
        return source
    }

    /// The AppSpec from the base's archive, which must be the bytes the delta's manifest names.
    private func baseAppSpec(_ target: BundleManifest, installed: InstalledBase, reader: DeltaBaseReader)
        async throws -> String
    {
        let entry = target.files.first { $0.path == target.appspec && $0.type == .file }
        let bytes: [UInt8]?
        do {
            bytes = try await reader.readArchiveFile(installed, path: target.appspec)
        } catch let problem as HostRecords.Problem {
            throw refusal(problem.description, exit: problem.unsafe ? Exit.invalidInput : Exit.failed)
        }
        guard let bytes, let entry,
            SHA256.hash(data: bytes).map({ String(format: "%02x", $0) }).joined() == entry.sha256
        else {
            throw refusal(
                "the base revision's \(target.appspec) in \(installed.deploymentDirectory) is not the one this delta's manifest names; apply the full bundle",
                exit: Exit.invalidInput)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The group id of this install: `--application`, else the manifest's, else the file name.
    func groupID(_ staged: StagedBundle) -> String {
        let app = application ?? staged.report.manifest?.application ?? Self.nameFromFile(bundle)
        return DeploymentGroupID.make(application: app, group: group)
    }

    private func refusal(_ message: String, exit code: Int32) -> ExitCode {
        Console.say("error: \(message)")
        Console.say("nothing was changed")
        return ExitCode(code)
    }
}
