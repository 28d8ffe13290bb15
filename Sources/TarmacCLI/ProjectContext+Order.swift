import Foundation
import TarmacBundle
import TarmacCore
import TarmacDeploy
import TarmacGit

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
