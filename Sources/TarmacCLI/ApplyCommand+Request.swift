import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine

extension ApplyCommand {
    /// The deployment to run, or exit 2 with every problem of the AppSpec and the options.
    func makeRequest(_ staged: StagedBundle) throws -> DeploymentRequest {
        let spec = try RequestParts.appspec(of: staged)
        let eventList = try RequestParts.events(events, spec: spec, trafficHooks: false)
        let app = application ?? staged.report.manifest?.application ?? Self.nameFromFile(bundle)
        let groupID = DeploymentGroupID.make(application: app, group: group)
        var request = DeploymentRequest(
            deploymentID: DeploymentID.make(), application: app, groupName: group, groupID: groupID,
            layout: HostLayout(root: deploymentRoot, groupID: groupID), appspec: spec, files: staged.files,
            bundleSource: staged.verifiedCopy ? .verifiedFile(staged.transferPath) : .localFile(staged.transferPath),
            bundleSHA256: staged.transferSHA256,
            commit: staged.report.manifest?.commit, events: eventList, fileExistsBehavior: fileExistsBehavior,
            ignoreApplicationStopFailures: ignoreStopFailures, keepBundle: keepBundle, maxRevisions: maxRevisions,
            runnerPID: getpid())
        request.revision = staged.report.manifest?.revision
        // The free-space check needs it: a bundle that cannot be stat'ed is an error, not 0 bytes.
        request.localBundleByteCount =
            try FileManager.default.attributesOfItem(atPath: staged.transferPath)[.size] as? Int64
        return request
    }

    /// `docs-site.tar.gz` → `docs-site`.
    static func nameFromFile(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".tar.gz", ".tar.zst", ".tar.xz", ".tgz", ".tar", ".zip"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name.isEmpty ? "application" : name
    }
}
