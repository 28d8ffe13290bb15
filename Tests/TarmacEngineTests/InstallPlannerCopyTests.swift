import TarmacCore
import TarmacEngine
import Testing

/// Source and destination resolution and directory creation (spec §4.2–§4.4).
@Suite struct InstallPlannerCopyTests {
    typealias F = PlanFixture

    /// Spec §4.3's table: (source, destination, files it installs).
    static let destinationTable: [(String, String, [String])] = [
        ("config/app.conf", "/etc/myapp", ["/etc/myapp/app.conf"]),
        ("config/app.conf", "/etc/myapp/app.conf", ["/etc/myapp/app.conf/app.conf"]),
        ("web", "/var/www/html", ["/var/www/html/css/site.css", "/var/www/html/index.html"]),
        ("web", "/var/www/html/web", ["/var/www/html/web/css/site.css", "/var/www/html/web/index.html"]),
        (
            "/", "/srv/app",
            [
                "/srv/app/appspec.yml", "/srv/app/config/app.conf", "/srv/app/scripts/start.sh",
                "/srv/app/web/css/site.css", "/srv/app/web/index.html",
            ]
        ),
        ("./config/app.conf", "/etc/myapp", ["/etc/myapp/app.conf"]),
        ("/config/", "/etc/myapp/", ["/etc/myapp/app.conf"]),
        (
            ".", "/srv/app",
            [
                "/srv/app/appspec.yml", "/srv/app/config/app.conf", "/srv/app/scripts/start.sh",
                "/srv/app/web/css/site.css", "/srv/app/web/index.html",
            ]
        ),
    ]

    @Test(arguments: destinationTable)
    func destinationIsAlwaysADirectory(_ source: String, _ destination: String, _ expected: [String]) throws {
        let plan = try F.success(F.plan(F.yaml([(source, destination)])))
        #expect(F.copies(plan) == expected)
    }

    @Test func fileSourceIntoDirectoryNamedLikeTheFileCreatesThatDirectory() throws {
        let plan = try F.success(F.plan(F.yaml([("config/app.conf", "/etc/myapp/app.conf")])))
        #expect(
            F.lines(plan) == [
                "mkdir /etc/myapp", "mkdir /etc/myapp/app.conf",
                "copy config/app.conf -> /etc/myapp/app.conf/app.conf 640 over missing",
            ])
    }

    @Test func directorySourceCopiesItsContentsWithHiddenFilesEmptyDirectoriesAndLinks() throws {
        let files =
            F.revision + [
                F.file("web/.htaccess"), F.directory("web/empty"), F.link("web/current", to: "../releases/7"),
            ]
        let plan = try F.success(F.plan(F.yaml([("web", "/var/www/html")]), files: files))
        #expect(
            F.lines(plan) == [
                "mkdir /var/www/html",
                "copy web/.htaccess -> /var/www/html/.htaccess 644 over missing",
                "mkdir /var/www/html/css",
                "copy web/css/site.css -> /var/www/html/css/site.css 644 over missing",
                "link /var/www/html/current -> ../releases/7 over missing",
                "mkdir /var/www/html/empty",
                "copy web/index.html -> /var/www/html/index.html 644 over missing",
            ])
    }

    @Test func wholeRevisionIncludesTheAppSpecAndScripts() throws {
        let plan = try F.success(F.plan(F.yaml([("/", "/srv/app")])))
        #expect(
            F.lines(plan).prefix(2) == ["mkdir /srv/app", "copy appspec.yml -> /srv/app/appspec.yml 644 over missing"])
        #expect(F.lines(plan).contains("copy scripts/start.sh -> /srv/app/scripts/start.sh 755 over missing"))
    }

    @Test func missingSourceIsAProblemNamingTheArchivePath() throws {
        let problems = F.problems(try F.plan(F.yaml([("adihealthdev", "/srv/app"), ("nope/x.conf", "/etc")])))
        #expect(
            problems.map(\.path) == [
                "/var/lib/tarmac/g/d-1/deployment-archive/adihealthdev",
                "/var/lib/tarmac/g/d-1/deployment-archive/nope/x.conf",
            ])
        #expect(
            problems[0].message.contains(
                "files[0] (appspec.yml:4:5) names the source \"adihealthdev\", which "
                    + "does not exist in the revision"))
    }

    @Test func missingAncestorsAreCreatedTopDownAndOnlyThoseAreRecorded() throws {
        let plan = try F.success(F.plan(F.yaml([("config/app.conf", "/opt/a/b/c")]), existing: ["/opt/a": .directory]))
        #expect(
            F.lines(plan) == [
                "mkdir /opt/a/b", "mkdir /opt/a/b/c", "copy config/app.conf -> /opt/a/b/c/app.conf 640 over missing",
            ])
        #expect(plan.nextCleanup.paths == ["/opt/a/b", "/opt/a/b/c", "/opt/a/b/c/app.conf"])
    }

    @Test func theSameDirectoryPlannedTwiceIsMadeOnce() throws {
        let plan = try F.success(F.plan(F.yaml([("web", "/srv/x"), ("config", "/srv/x/")])))
        #expect(F.lines(plan).filter { $0 == "mkdir /srv/x" }.count == 1)
        #expect(F.copies(plan).last == "/srv/x/app.conf")
    }

    @Test func probeRequestCoversTargetsAncestorsAndAccounts() throws {
        let spec = try F.spec(
            F.yaml(
                [("config/app.conf", "/etc/myapp"), ("web/css", "/var/www")],
                "permissions:\n  - object: /etc/myapp\n    owner: app\n    group: staff\n"))
        let request = InstallPlanner.probeRequest(spec: spec, files: F.revision)
        #expect(
            request.paths == ["/etc", "/etc/myapp", "/etc/myapp/app.conf", "/var", "/var/www", "/var/www/site.css"])
        #expect(request.users == ["app"])
        #expect(request.groups == ["staff"])
    }

    @Test func aPathTheProbeDidNotReportIsAProblem() throws {
        let spec = try F.spec(F.yaml([("config/app.conf", "/etc/myapp")]))
        var facts = F.facts(spec, F.revision, existing: ["/etc": .directory])
        facts.paths["/etc/myapp/app.conf"] = nil
        let result = InstallPlanner.plan(spec: spec, files: F.revision, facts: facts, options: InstallOptions())
        let problems = F.problems(result)
        #expect(problems.map(\.path) == ["/etc/myapp/app.conf"])
        #expect(problems.first?.message.contains("did not report") == true)
    }

    @Test func awkwardFileNamesSurviveUnchanged() throws {
        let name = "it's a $(rm -rf ~) \"x\" `y`\nnew ünï 日本.txt"
        let files = [F.file("web/" + name), F.link("web/l " + name, to: "$(reboot) 'a'\n")]
        let plan = try F.success(F.plan(F.yaml([("web", "/var/www/html")]), files: files))
        #expect(
            plan.steps == [
                .makeDirectory(path: "/var/www/html"),
                .copyFile(source: "web/" + name, destination: "/var/www/html/" + name, mode: 0o644, replaces: .missing),
                .symlink(target: "$(reboot) 'a'\n", destination: "/var/www/html/l " + name, replaces: .missing),
            ])
        #expect(plan.nextCleanup.paths == ["/var/www/html", "/var/www/html/" + name, "/var/www/html/l " + name])
        let spec = try F.spec(F.yaml([("web", "/var/www/html")]))
        #expect(InstallPlanner.probeRequest(spec: spec, files: files).paths.contains("/var/www/html/" + name))
    }
}
