import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacGit

extension ProjectContext {
    /// The project as committed in `commit`: a pipeline runs the tarmac.yml of the revision it
    /// deploys, not the working tree's. Nil when the commit has no tarmac.yml.
    static func atCommit(_ repository: GitRepository, _ commit: String) async throws -> ProjectContext? {
        guard let bytes = try await repository.readFile(commit, path: configName) else { return nil }
        let (config, diagnostics) = ProjectConfig.parse(String(decoding: bytes, as: UTF8.self), file: configName)
        return ProjectContext(
            repository: repository, configFile: configName, config: config,
            application: config?.application ?? defaultApplication(repository.root),
            bundle: config?.bundle ?? BundleSettings(), diagnostics: diagnostics)
    }
}

extension ProjectContext {
    /// A deployment of this project to `selection`: the bundle of `rev` (default HEAD), or the
    /// bundle file `bundle` names.
    func order(_ selection: GroupSelection, rev: String?, bundle: String?, ignoreStopFailures: Bool)
        -> DeploymentOrder
    {
        let source: DeployBundle.Source
        if let bundle {
            source = .given(Console.absolute(bundle))
        } else {
            let builder = BundleBuilder(repository: repository, application: application, bundle: self.bundle)
            source = .build(builder, revision: rev ?? "HEAD")
        }
        return DeploymentOrder(
            repository: repository.root, application: application, selection: selection, bundle: source,
            ignoreStopFailures: ignoreStopFailures)
    }
}
