import Foundation
import TarmacCore
import TarmacGit

/// A commit's own tarmac.yml: a pipeline runs the configuration of the revision it deploys,
/// not the working tree's.
public struct PipelineProject: Sendable {
    public var repository: GitRepository
    public var config: ProjectConfig?
    public var application: String
    public var bundle: BundleSettings
    public var diagnostics: [Diagnostic]

    public static let configName = "tarmac.yml"

    /// The project as committed in `commit`; nil when the commit has no tarmac.yml.
    public static func at(_ repository: GitRepository, _ commit: String) async throws -> PipelineProject? {
        guard let bytes = try await repository.readFile(commit, path: configName) else { return nil }
        let (config, diagnostics) = ProjectConfig.parse(String(decoding: bytes, as: UTF8.self), file: configName)
        return PipelineProject(
            repository: repository, config: config,
            application: config?.application ?? defaultApplication(repository.root),
            bundle: config?.bundle ?? BundleSettings(), diagnostics: diagnostics)
    }

    /// Without tarmac.yml the application is named after the repository directory, every
    /// character but letters, digits, `-`, `_` and `.` made a `-`.
    public static func defaultApplication(_ root: String) -> String {
        let base = (root as NSString).lastPathComponent
        let safe = base.unicodeScalars.map {
            CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) ? Character($0) : "-"
        }
        return String(safe).isEmpty ? "application" : String(safe)
    }
}
