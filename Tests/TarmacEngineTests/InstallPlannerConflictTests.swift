import TarmacCore
import TarmacEngine
import Testing

/// `file_exists_behavior`, conflicts inside one deployment and clashes with the host
/// (spec §4.4–§4.8, §10 P2/P3).
@Suite struct InstallPlannerConflictTests {
    typealias F = PlanFixture
    static let target = "/etc/myapp/app.conf"
    static let appspec = F.yaml([("config/app.conf", "/etc/myapp")])
    static let host: [String: HostFacts.PathKind] = ["/etc/myapp": .directory, target: .file]

    /// (behavior, target in the previous cleanup record, the step or nil for a problem, recorded).
    static let behaviorTable: [(FileExistsBehavior, Bool, String?, Bool)] = [
        (.disallow, false, nil, false),
        (.disallow, true, "copy config/app.conf -> /etc/myapp/app.conf 640 over missing", true),
        (.overwrite, false, "copy config/app.conf -> /etc/myapp/app.conf 640 over file", true),
        (.overwrite, true, "copy config/app.conf -> /etc/myapp/app.conf 640 over missing", true),
        (.retain, false, "retain /etc/myapp/app.conf", false),
        (.retain, true, "copy config/app.conf -> /etc/myapp/app.conf 640 over missing", true),
    ]

    @Test(arguments: behaviorTable)
    func existingFile(_ behavior: FileExistsBehavior, _ inCleanup: Bool, _ step: String?, _ recorded: Bool) throws {
        let cleanup = inCleanup ? CleanupRecord(paths: [Self.target]) : nil
        let result = try F.plan(Self.appspec, existing: Self.host, cleanup: cleanup, behavior: behavior)
        guard let step else {
            let problems = F.problems(result)
            #expect(problems.map(\.path) == [Self.target])
            #expect(
                problems.first?.message.hasPrefix(
                    "a file already exists at \"/etc/myapp/app.conf\" and was not installed by this deployment group")
                    == true)
            #expect(problems.first?.message.contains("OVERWRITE") == true)
            #expect(problems.first?.message.contains("RETAIN") == true)
            return
        }
        let plan = try F.success(result)
        #expect(F.lines(plan) == [step])
        #expect(plan.nextCleanup.paths == (recorded ? [Self.target] : []))
    }

    /// (AppSpec's own value, the deployment's option, planned or refused).
    static let precedenceTable: [(String?, FileExistsBehavior, Bool)] = [
        ("OVERWRITE", .disallow, true), ("DISALLOW", .overwrite, false), ("RETAIN", .disallow, true),
        (nil, .overwrite, true), (nil, .disallow, false),
    ]

    @Test(arguments: precedenceTable)
    func appSpecValueWinsOverTheOption(_ own: String?, _ option: FileExistsBehavior, _ planned: Bool) throws {
        let text = Self.appspec + (own.map { "file_exists_behavior: \($0)\n" } ?? "")
        let result = try F.plan(text, existing: Self.host, behavior: option)
        if case .success = result { #expect(planned) } else { #expect(!planned) }
    }

    @Test func overwriteReplacesASymlinkByUnlinkingIt() throws {
        let plan = try F.success(F.plan(Self.appspec, existing: [Self.target: .symlink], behavior: .overwrite))
        #expect(F.lines(plan).last == "copy config/app.conf -> /etc/myapp/app.conf 640 over symlink")
    }

    @Test func everyConflictIsReportedAtOnce() throws {
        let existing: [String: HostFacts.PathKind] = [
            "/var/www/html": .directory, "/var/www/html/index.html": .file, "/var/www/html/css": .directory,
            "/var/www/html/css/site.css": .file,
        ]
        let problems = F.problems(try F.plan(F.yaml([("web", "/var/www/html")]), existing: existing))
        #expect(problems.map(\.path) == ["/var/www/html/css/site.css", "/var/www/html/index.html"])
    }

    @Test func twoSourcesForOneDestination() throws {
        let problems = F.problems(
            try F.plan(
                F.yaml([("/", "/app"), ("config", "/app/config")]),
                existing: ["/app": .directory]))
        #expect(problems.map(\.path) == ["/app/config/app.conf"])
        #expect(
            problems.first?.message.hasPrefix(
                "files[0] (appspec.yml:4:5) and files[1] (appspec.yml:6:5) both install \"/app/config/app.conf\"")
                == true)
    }

    @Test func copyOntoAPlannedDirectory() throws {
        let files = F.revision + [F.file("other/css")]
        let problems = F.problems(try F.plan(F.yaml([("web", "/srv/x"), ("other/css", "/srv/x")]), files: files))
        #expect(problems.map(\.path) == ["/srv/x/css"])
        #expect(
            problems.first?.message.contains("but files[0] (appspec.yml:4:5) creates a directory at that path") == true)
    }

    @Test func directoryOntoAPlannedCopy() throws {
        let files = F.revision + [F.file("other/css")]
        let problems = F.problems(try F.plan(F.yaml([("other/css", "/srv/x"), ("web", "/srv/x")]), files: files))
        #expect(problems.map(\.path) == ["/srv/x/css"])
        #expect(
            problems.first?.message.hasPrefix(
                "files[1] (appspec.yml:6:5) needs a directory at \"/srv/x/css\", "
                    + "but files[0] (appspec.yml:4:5) installs the file \"other/css\"") == true)
    }

    @Test func directoryOntoARetainedFile() throws {
        let files = F.revision + [F.file("other/css")]
        let problems = F.problems(
            try F.plan(
                F.yaml([("other/css", "/srv/x"), ("web", "/srv/x")]), files: files,
                existing: ["/srv/x": .directory, "/srv/x/css": .file], behavior: .retain))
        #expect(problems.map(\.path) == ["/srv/x/css"])
        #expect(problems.first?.message.contains("RETAIN") == true)
    }

    /// (host state, AppSpec, path of the one problem or nil, a step the plan must hold).
    static let hostTable: [([String: HostFacts.PathKind], String, String?, String?)] = [
        // A directory where a file must go.
        ([target: .directory, "/etc/myapp": .directory], appspec, target, nil),
        // A file, symlink or special file where the revision needs a directory.
        (["/etc/myapp": .file], appspec, "/etc/myapp", nil),
        (
            ["/var/www/html": .directory, "/var/www/html/css": .symlink], F.yaml([("web", "/var/www/html")]),
            "/var/www/html/css", nil
        ),
        (
            ["/var/www/html": .directory, "/var/www/html/css": .other], F.yaml([("web", "/var/www/html")]),
            "/var/www/html/css", nil
        ),
        // A file above the destination blocks the whole mapping with one problem.
        (["/srv/a": .file], F.yaml([("web", "/srv/a/b")]), "/srv/a", nil),
        // A symlink the AppSpec names (destination or above) is followed like the agent does.
        (["/etc/myapp": .symlink], appspec, nil, "copy config/app.conf -> /etc/myapp/app.conf 640 over missing"),
    ]

    @Test(arguments: hostTable)
    func hostClashes(_ host: [String: HostFacts.PathKind], _ text: String, _ problem: String?, _ step: String?) throws {
        let result = try F.plan(text, existing: host, behavior: .overwrite)
        if let problem {
            #expect(F.problems(result).map(\.path) == [problem])
        } else if let step {
            #expect(F.lines(try F.success(result)) == [step])
        }
    }

    @Test func pathsOfThePreviousInstallCountAsGone() throws {
        let cleanup = CleanupRecord(paths: ["/etc/myapp", "/etc/myapp/app.conf"])
        let host: [String: HostFacts.PathKind] = ["/etc/myapp": .directory, "/etc/myapp/app.conf": .file]
        let plan = try F.success(F.plan(Self.appspec, existing: host, cleanup: cleanup))
        // The directory may be removed (it empties), so it is made again and recorded again.
        #expect(F.lines(plan) == ["mkdir /etc/myapp", "copy config/app.conf -> /etc/myapp/app.conf 640 over missing"])
        let fileInTheWay = try F.success(
            F.plan(
                Self.appspec, existing: ["/etc/myapp": .file],
                cleanup: CleanupRecord(paths: ["/etc/myapp"])))
        #expect(F.lines(fileInTheWay).first == "mkdir /etc/myapp")
        // A previous directory where a file now goes: removed if it empties, else the copy must say so.
        let directoryInTheWay = try F.success(
            F.plan(
                Self.appspec,
                existing: [
                    "/etc/myapp": .directory,
                    Self.target: .directory,
                ], cleanup: CleanupRecord(paths: [Self.target])))
        #expect(F.lines(directoryInTheWay) == ["copy config/app.conf -> /etc/myapp/app.conf 640 over directory"])
    }

    @Test func removalsAreThePreviousRecordReversed() throws {
        let cleanup = CleanupRecord(
            paths: ["/srv/a", "/srv/a/b", "/srv/a/b/c"], selinuxLabels: ["/srv/a/b", "/srv/a/b/c"])
        let plan = try F.success(F.plan(F.yaml([]), cleanup: cleanup))
        #expect(plan.removals == ["/srv/a/b/c", "/srv/a/b", "/srv/a"])
        #expect(plan.selinuxRemovals == ["/srv/a/b/c", "/srv/a/b"])
        #expect(plan.steps.isEmpty)
        #expect(plan.nextCleanup == CleanupRecord())
    }

    @Test func nextCleanupIsCreationOrderWithoutRetainedFiles() throws {
        let text =
            F.yaml([("web", "/var/www/html"), ("config/app.conf", "/etc/myapp")])
            + "file_exists_behavior: RETAIN\npermissions:\n  - object: /var/www/html\n    type: [directory]\n"
            + "    context: {type: httpd_sys_content_t}\n"
        let plan = try F.success(F.plan(text, existing: Self.host))
        #expect(
            plan.nextCleanup.paths == [
                "/var/www/html", "/var/www/html/css", "/var/www/html/css/site.css", "/var/www/html/index.html",
            ])
        #expect(plan.nextCleanup.selinuxLabels == ["/var/www/html/css"])
        #expect(F.lines(plan).last == "retain /etc/myapp/app.conf")
    }
}
