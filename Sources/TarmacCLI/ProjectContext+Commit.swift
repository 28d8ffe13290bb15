import Foundation
import TarmacBundle
import TarmacCore
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
