import ArgumentParser
import TarmacBundle
import TarmacCore
import TarmacEngine

/// What `apply` and `deploy` share when turning a staged bundle into a deployment request.
enum RequestParts {
    /// The bundle's AppSpec, validated against its files; every finding printed, exit 2 when invalid.
    static func appspec(of staged: StagedBundle) throws -> AppSpec {
        let tree = RevisionTree(files: staged.files)
        let (parsed, findings) = AppSpec.parse(staged.appspecText, file: staged.appspecName, tree: tree)
        Console.diagnostics(findings)
        guard let spec = parsed else {
            Console.say("error: the bundle's AppSpec is not valid; nothing was changed")
            throw ExitCode(Exit.invalidInput)
        }
        return spec
    }

    /// The events of `--events` (comma-separated) or the default order; exit 2 on a bad list.
    static func events(_ requested: String?, spec: AppSpec, trafficHooks: Bool) throws -> [DeploymentEvent] {
        guard let requested else { return LifecycleSequence.defaultEvents(trafficHooks: trafficHooks) }
        let (list, problems) = LifecycleSequence.requestedEvents(
            requested.split(separator: ",").map(String.init), spec: spec)
        guard problems.isEmpty else {
            for problem in problems { Console.say("error: \(problem)") }
            throw ExitCode(Exit.invalidInput)
        }
        return list
    }
}
