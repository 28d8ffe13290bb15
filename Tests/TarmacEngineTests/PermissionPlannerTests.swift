import TarmacCore
import TarmacEngine
import Testing

/// The permissions section over a plan (spec §5.1, §5.3, §1.6).
@Suite struct PermissionPlannerTests {
    typealias F = PlanFixture
    static let web = F.yaml([("web", "/var/www/html"), ("config/app.conf", "/etc/myapp")])

    static func plan(
        _ permissions: String, existing: [String: HostFacts.PathKind] = [:],
        tools: Set<String> = Set(ProbeRequest.standardTools), users: Set<String> = ["root", "www-data"]
    ) throws -> Result<InstallPlan, InstallPlanFailure> {
        try F.plan(web + "permissions:\n" + permissions, existing: existing, users: users, tools: tools)
    }

    static func paths(_ plan: InstallPlan) -> [String] { plan.permissions.map(\.path) }

    /// (entry, paths it changes in order).
    static let reachTable: [(String, [String])] = [
        // A directory object: its descendants, files before directories, never the object itself.
        (
            "  - object: /var/www\n    mode: \"0640\"\n",
            ["/var/www/html/css/site.css", "/var/www/html/index.html", "/var/www/html", "/var/www/html/css"]
        ),
        (
            "  - object: /var/www/html\n    owner: www-data\n    type: [file]\n",
            ["/var/www/html/css/site.css", "/var/www/html/index.html"]
        ),
        ("  - object: /var/www/html\n    owner: www-data\n    type: [directory]\n", ["/var/www/html/css"]),
        // A simple pattern only selects direct children.
        ("  - object: /var/www/html\n    pattern: \"*.html\"\n    mode: \"0600\"\n", ["/var/www/html/index.html"]),
        (
            "  - object: /var/www/html\n    pattern: \"*\"\n    except: [\"css\"]\n    mode: \"0600\"\n",
            ["/var/www/html/index.html"]
        ),
        // A file object: only itself, and only when type has file.
        ("  - object: /etc/myapp/app.conf\n    mode: \"0600\"\n", ["/etc/myapp/app.conf"]),
        ("  - object: /etc/myapp/app.conf\n    type: [directory]\n    mode: \"0600\"\n", []),
        // Objects this install did not create, and pre-existing directories, are never touched.
        ("  - object: /nowhere\n    mode: \"0600\"\n", []),
        (
            "  - object: /\n    type: [directory]\n    mode: \"0700\"\n",
            ["/var/www/html", "/var/www/html/css", "/etc/myapp"]
        ),
    ]

    @Test(arguments: reachTable)
    func reach(_ entry: String, _ expected: [String]) throws {
        #expect(Self.paths(try F.success(Self.plan(entry))) == expected)
    }

    @Test func retainedFilesAreNotTouched() throws {
        let text = Self.web + "file_exists_behavior: RETAIN\npermissions:\n  - object: /etc/myapp\n    mode: \"0600\"\n"
        let plan = try F.success(F.plan(text, existing: ["/etc/myapp": .directory, "/etc/myapp/app.conf": .file]))
        #expect(plan.permissions.isEmpty)
    }

    @Test func oneChangeCarriesOwnerGroupModeACLAndLabel() throws {
        let entry =
            "  - object: /etc/myapp/app.conf\n    owner: www-data\n    group: root\n    mode: \"4750\"\n"
            + "    acls: [\"u:root:r\"]\n    context: {name: system_u, type: etc_t, range: s0}\n"
        let plan = try F.success(Self.plan(entry))
        var expected = InstallPlan.PermissionChange(path: "/etc/myapp/app.conf")
        expected.owner = "www-data"
        expected.group = "root"
        expected.mode = 0o4750
        expected.acl = ["user:root:r--", "user::rwx", "group::r-x", "other::---", "mask::r-x"]
        expected.selinuxUser = "system_u"
        expected.selinuxType = "etc_t"
        expected.selinuxRange = "s0"
        #expect(plan.permissions == [expected])
        #expect(plan.nextCleanup.selinuxLabels == ["/etc/myapp/app.conf"])
    }

    @Test func aclBaseEntriesComeFromTheManifestModeOrDirectoryMode() throws {
        let plan = try F.success(Self.plan("  - object: /etc\n    acls: [\"g:www-data:r\"]\n"))
        #expect(
            plan.permissions.map { $0.acl ?? [] } == [
                ["group:www-data:r--", "user::rw-", "group::r--", "other::---", "mask::r--"],
                ["group:www-data:r--", "user::rwx", "group::r-x", "other::r-x", "mask::r-x"],
            ])
    }

    @Test func duplicateReachIsAProblemPerPath() throws {
        let entries = "  - object: /var/www/html\n    mode: \"0644\"\n  - object: /var/www/html/css\n    owner: root\n"
        let problems = F.problems(try Self.plan(entries))
        #expect(problems.map(\.path) == ["/var/www/html/css/site.css"])
        #expect(
            problems.first?.message.hasPrefix(
                "permissions[0] (appspec.yml:9:5) and permissions[1] (appspec.yml:11:5) both apply to") == true)
    }

    @Test func unknownAccountsAreReportedOnceEach() throws {
        let entries = "  - object: /var/www/html\n    owner: nginx\n    group: web\n"
        let problems = F.problems(try Self.plan(entries))
        #expect(
            problems.map { $0.message.split(separator: ";")[0] } == [
                "the user \"nginx\" does not exist on this host", "the group \"web\" does not exist on this host",
            ])
        #expect(problems.allSatisfy { $0.path == "/var/www/html" })
    }

    /// (entry, tools the host has, tools named in the problems).
    static let toolTable: [(String, Set<String>, [String])] = [
        ("    acls: [\"u:root:7\"]\n", ["semanage", "restorecon"], ["setfacl"]),
        ("    context: {type: etc_t}\n", ["setfacl", "restorecon"], ["semanage"]),
        ("    context: {type: etc_t}\n", ["setfacl"], ["semanage", "restorecon"]),
        ("    acls: [\"u:root:7\"]\n    context: {type: etc_t}\n", [], ["setfacl", "semanage", "restorecon"]),
    ]

    @Test(arguments: toolTable)
    func missingTools(_ settings: String, _ tools: Set<String>, _ named: [String]) throws {
        let problems = F.problems(try Self.plan("  - object: /etc/myapp\n" + settings, tools: tools))
        #expect(
            problems.map { $0.message.split(separator: ";")[0].split(separator: " ").last.map(String.init) ?? "" }
                == named)
        #expect(problems.first?.message.contains(" package") == true)
    }

    /// (entry on a copied file, message start) — the apply-time checks of spec §1.6.
    static let fileObjectTable: [(String, String)] = [
        (
            "    pattern: \"*.conf\"\n    mode: \"0600\"\n",
            "permissions[0] (appspec.yml:9:5) names the file \"/etc/myapp/app.conf\" as its object but has pattern"
        ),
        (
            "    except: [\"x\"]\n    mode: \"0600\"\n",
            "permissions[0] (appspec.yml:9:5) names the file \"/etc/myapp/app.conf\" as its object but has except [\"x\"]"
        ),
        (
            "    acls: [\"d:u:root:7\"]\n",
            "permissions[0] (appspec.yml:9:5) sets the default ACL entry \"default:user:root:rwx\" on the file"
        ),
    ]

    @Test(arguments: fileObjectTable)
    func fileObjectChecks(_ settings: String, _ message: String) throws {
        let problems = F.problems(try Self.plan("  - object: /etc/myapp/app.conf\n" + settings))
        #expect(problems.map(\.path) == ["/etc/myapp/app.conf"])
        #expect(problems.first?.message.hasPrefix(message) == true, "\(problems)")
    }

    @Test func defaultEntriesReachingFilesThroughADirectoryAreProblems() throws {
        let problems = F.problems(try Self.plan("  - object: /var/www/html\n    acls: [\"d:u:root:7\"]\n"))
        #expect(problems.map(\.path) == ["/var/www/html/css/site.css", "/var/www/html/index.html"])
        let onlyDirectories = try F.success(
            Self.plan(
                "  - object: /var/www/html\n    type: [directory]\n    acls: [\"d:u:root:7\"]\n"))
        #expect(Self.paths(onlyDirectories) == ["/var/www/html/css"])
    }
}
