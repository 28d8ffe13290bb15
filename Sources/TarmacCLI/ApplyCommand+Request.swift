import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacEngine

extension ApplyCommand {
    /// The deployment to run, or exit 2 with every problem of the AppSpec and the options.
    func makeRequest(_ staged: StagedBundle) throws -> DeploymentRequest {
        let tree = RevisionTree(files: staged.files)
        let (parsed, findings) = AppSpec.parse(staged.appspecText, file: staged.appspecName, tree: tree)
        Console.diagnostics(findings)
        guard let spec = parsed else {
            Console.say("error: the bundle's AppSpec is not valid; nothing was changed")
            throw ExitCode(Exit.invalidInput)
        }
        let eventList: [String]
        if let events {
            let (list, problems) = LifecycleSequence.requestedEvents(
                events.split(separator: ",").map(String.init), spec: spec)
            guard problems.isEmpty else {
                for problem in problems { Console.say("error: \(problem)") }
                throw ExitCode(Exit.invalidInput)
            }
            eventList = list
        } else {
            eventList = LifecycleSequence.defaultEvents(trafficHooks: false)
        }
        let app = application ?? staged.report.manifest?.application ?? Self.nameFromFile(bundle)
        let groupID = DeploymentGroupID.make(application: app, group: group)
        return DeploymentRequest(
            deploymentID: DeploymentID.make(), application: app, groupName: group, groupID: groupID,
            layout: HostLayout(root: deploymentRoot, groupID: groupID), appspec: spec, files: staged.files,
            bundleSource: .localFile(staged.tarPath), bundleSHA256: staged.sha256,
            commit: staged.report.manifest?.commit, events: eventList, fileExistsBehavior: fileExistsBehavior,
            ignoreApplicationStopFailures: ignoreStopFailures, keepBundle: keepBundle, maxRevisions: maxRevisions,
            runnerPID: getpid())
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
