import ArgumentParser
import Foundation
import TarmacBundle
import TarmacCore
import TarmacGit
import TarmacPipeline

/// The repository a command works on and the settings its `tarmac.yml` gives (or defaults).
struct ProjectContext {
    var repository: GitRepository
    /// `tarmac.yml` when the repository has one.
    var configFile: String?
    var config: ProjectConfig?
    var application: String
    var bundle: BundleSettings
    var diagnostics: [Diagnostic]

    static let configName = "tarmac.yml"

    /// Finds the repository from the options' directory, or says it is not in one and exits 2.
    static func repository(_ options: RepositoryOptions) async throws -> GitRepository {
        do {
            return try await GitRepository.discover(from: options.start)
        } catch {
            Console.say("error: \(options.start) is not inside a Git working tree: \(error)")
            throw ExitCode(Exit.invalidInput)
        }
    }

    /// Finds the repository from the options' directory and reads its `tarmac.yml`.
    static func load(_ options: RepositoryOptions) async throws -> ProjectContext {
        let repository = try await repository(options)
        let path = repository.root + "/" + configName
        guard let data = FileManager.default.contents(atPath: path) else {
            return ProjectContext(
                repository: repository, configFile: nil, config: nil,
                application: defaultApplication(repository.root), bundle: BundleSettings(), diagnostics: [])
        }
        let (config, diagnostics) = ProjectConfig.parse(String(decoding: data, as: UTF8.self), file: configName)
        return ProjectContext(
            repository: repository, configFile: configName, config: config,
            application: config?.application ?? defaultApplication(repository.root),
            bundle: config?.bundle ?? BundleSettings(), diagnostics: diagnostics)
    }

    /// Prints the configuration's findings and stops with exit 2 when any is an error.
    func requireValidConfig() throws {
        guard diagnostics.hasErrors else { return }
        Console.diagnostics(diagnostics)
        throw ExitCode(Exit.invalidInput)
    }

    /// Without tarmac.yml the application is named after the repository directory.
    static func defaultApplication(_ root: String) -> String {
        PipelineProject.defaultApplication(root)
    }
}
