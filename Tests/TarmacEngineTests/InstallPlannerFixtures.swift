import TarmacCore
import TarmacEngine
import Testing

/// Shared inputs for the planner tests: AppSpecs parsed from YAML text, a small revision,
/// host facts that answer every probe path, and readable renderings of plans.
enum PlanFixture {
    /// The revision of spec §4.3's table, plus a hook script.
    static let revision: [BundleManifest.File] = [
        file("appspec.yml"), file("config/app.conf", mode: "0640"), file("web/index.html"),
        file("web/css/site.css"), file("scripts/start.sh", mode: "0755"),
    ]

    static func file(_ path: String, mode: String = "0644") -> BundleManifest.File {
        BundleManifest.File(path: path, type: .file, mode: mode, size: 1, sha256: "00")
    }

    static func link(_ path: String, to target: String) -> BundleManifest.File {
        BundleManifest.File(path: path, type: .symlink, mode: "0777", target: target)
    }

    static func directory(_ path: String) -> BundleManifest.File {
        BundleManifest.File(path: path, type: .directory, mode: "0700")
    }

    /// An AppSpec with the given `files` mappings, followed by `extra` YAML.
    static func yaml(_ mappings: [(String, String)], _ extra: String = "") -> String {
        var text = "version: 0.0\nos: linux\n" + (mappings.isEmpty ? "" : "files:\n")
        for (source, destination) in mappings {
            text += "  - source: \(quoted(source))\n    destination: \(quoted(destination))\n"
        }
        return text + extra
    }

    /// Parses with the real parser; a test fails here when its AppSpec is invalid.
    static func spec(_ text: String) throws -> AppSpec {
        let (spec, diagnostics) = AppSpec.parse(text, file: "appspec.yml")
        return try #require(spec, "AppSpec did not parse: \(diagnostics.map(\.description))")
    }

    /// Facts in which every probed path is missing unless `existing` says otherwise.
    static func facts(
        _ spec: AppSpec, _ files: [BundleManifest.File], existing: [String: HostFacts.PathKind],
        cleanup: CleanupRecord? = nil, users: Set<String> = ["root", "www-data"],
        groups: Set<String> = ["root", "www-data"], tools: Set<String> = Set(ProbeRequest.standardTools)
    ) -> HostFacts {
        var facts = HostFacts()
        for path in InstallPlanner.probeRequest(spec: spec, files: files).paths { facts.paths[path] = .missing }
        facts.paths.merge(existing) { $1 }
        facts.cleanup = cleanup
        facts.users = users
        facts.groups = groups
        facts.tools = tools
        return facts
    }

    /// Directories most hosts have.
    static let baseHost: [String: HostFacts.PathKind] = [
        "/etc": .directory, "/var": .directory, "/var/www": .directory, "/srv": .directory, "/opt": .directory,
    ]

    /// Plans `text` against `revision` on a host with `baseHost` plus `existing`.
    static func plan(
        _ text: String, files: [BundleManifest.File] = revision, existing: [String: HostFacts.PathKind] = [:],
        cleanup: CleanupRecord? = nil, behavior: FileExistsBehavior = .disallow,
        users: Set<String> = ["root", "www-data"], tools: Set<String> = Set(ProbeRequest.standardTools)
    ) throws -> Result<InstallPlan, InstallPlanFailure> {
        let spec = try spec(text)
        let facts = facts(
            spec, files, existing: baseHost.merging(existing) { $1 }, cleanup: cleanup, users: users, tools: tools)
        let options = InstallOptions(
            fileExistsBehavior: behavior, archiveRoot: "/var/lib/tarmac/g/d-1/deployment-archive")
        return InstallPlanner.plan(spec: spec, files: files, facts: facts, options: options)
    }

    /// The plan; records an issue and throws when planning failed.
    static func success(_ result: Result<InstallPlan, InstallPlanFailure>) throws -> InstallPlan {
        switch result {
        case .success(let plan): return plan
        case .failure(let failure):
            Issue.record("expected a plan, got problems:\n\(failure)")
            throw failure
        }
    }

    /// The problems; records an issue when planning succeeded.
    static func problems(_ result: Result<InstallPlan, InstallPlanFailure>) -> [PlanProblem] {
        switch result {
        case .success(let plan):
            Issue.record("expected problems, got a plan with steps \(lines(plan))")
            return []
        case .failure(let failure): return failure.problems
        }
    }

    /// One line per step: `mkdir /a`, `copy src -> /a/b 0644 over missing`, `link -> t at /a/l`, `retain /a/c`.
    static func lines(_ plan: InstallPlan) -> [String] {
        plan.steps.map { step in
            switch step {
            case .makeDirectory(let path): return "mkdir \(path)"
            case .copyFile(let source, let destination, let mode, let replaces):
                return "copy \(source) -> \(destination) \(String(mode, radix: 8)) over \(replaces.rawValue)"
            case .symlink(let target, let destination, let replaces):
                return "link \(destination) -> \(target) over \(replaces.rawValue)"
            case .retain(let destination): return "retain \(destination)"
            case .keepFile(let destination, _): return "keep \(destination)"
            case .keepDirectory(let path, _): return "keep-dir \(path)"
            }
        }
    }

    /// The destinations of copies only.
    static func copies(_ plan: InstallPlan) -> [String] {
        plan.steps.compactMap {
            if case .copyFile(_, let destination, _, _) = $0 { return destination } else { return nil }
        }
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
