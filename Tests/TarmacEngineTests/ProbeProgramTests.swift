import Foundation
import TarmacTestSupport
import Testing

@testable import TarmacEngine

@Suite("Probe program")
struct ProbeProgramTests {
    static let layout = HostLayout(root: "/opt/tarmac", groupID: "g-web")

    @Test("each path kind, a dangling symlink and a name with a newline", .sandboxed)
    func pathKinds() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write("/opt/app/file", "x")
        try box.write("/opt/app/dir/inner", "x")
        try box.write("/opt/app/new\nline", "x")
        try shell("ln -s file '\(box.host("/opt/app/link"))' && ln -s nowhere '\(box.host("/opt/app/dangling"))'")
        try shell("ln -s dir '\(box.host("/opt/app/dirlink"))' && mkfifo '\(box.host("/opt/app/fifo"))'")
        let kinds: [String: HostFacts.PathKind] = [
            "/opt/app/file": .file, "/opt/app/dir": .directory, "/opt/app/link": .symlink,
            "/opt/app/dangling": .symlink, "/opt/app/dirlink": .symlink, "/opt/app/fifo": .other,
            "/opt/app/new\nline": .file, "/opt/app/missing": .missing, "/opt/app/file/under-a-file": .missing,
        ]
        let request = ProbeRequest(
            paths: Array(kinds.keys), users: ["root", "tarmac-no-such-user"], groups: ["root", "tarmac-no-such-group"],
            tools: ["sh", "tarmac-no-such-tool"])
        let run = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil))
        #expect(run.done == 0, "\(run.stderr)")
        let facts = try ProbeProgram.parse(run.lines, request: request)
        #expect(facts.paths == kinds)
        #expect(facts.users == ["root"])
        #expect(facts.groups == ["root"])
        #expect(facts.tools == ["sh"])
        #expect(facts.cleanup == nil && facts.lastSuccessful == nil && facts.lock == nil)
        #expect(facts.deployments.isEmpty)
        #expect((facts.freeBytes ?? 0) > 0)
        #expect(!run.lines.contains { if case .text = $0 { true } else { false } })
    }

    /// Kinds come a batch at a time (`ArgumentBatches`), each from its first index: a path is
    /// named by its own index in every batch, and the stats follow the same paths.
    @Test("kinds and stats of paths spread over several batches", .sandboxed)
    func kindsAcrossBatches() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let paths = (0..<2500).map { "/opt/many/f\($0)" }
        let present: Set<Int> = [0, 999, 1000, 1001, 2001, 2499]
        for index in present { try box.write(paths[index], "x") }
        let request = ProbeRequest(paths: paths)
        let run = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil))
        #expect(run.done == 0, "\(run.stderr)")
        #expect(run.lines.filter { if case .fact("kinds", _) = $0 { true } else { false } }.count > 1)
        let facts = try ProbeProgram.parse(run.lines, request: request)
        #expect(facts.paths.count == paths.count)
        for (index, path) in paths.enumerated() {
            #expect(facts.paths[path] == (present.contains(index) ? .file : .missing), "\(path)")
        }
        #expect(Set(facts.stats.keys) == Set(present.map { paths[$0] }))
    }

    /// A batch that lies under one directory is answered with one test when that directory is
    /// not there; a link, a file or a directory in its place is looked at path by path, as before.
    @Test("a subtree that is not there is answered with one test", .sandboxed)
    func missingSubtrees() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let fresh = ["/opt/new", "/opt/new/d"] + (0..<1500).map { "/opt/new/d/f\($0)" }
        let odd = [
            "/opt/link", "/opt/link/a", "/opt/link/b", "/opt/file", "/opt/file/a", "/opt/there/a", "/opt/there/b",
        ]
        try box.write("/opt/file", "x")
        try box.write("/opt/there/a", "x")
        try FileManager.default.createSymbolicLink(atPath: box.host("/opt/link"), withDestinationPath: "/nowhere")
        for paths in [fresh, odd, fresh + odd] {
            let request = ProbeRequest(paths: paths)
            let program = ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil)
            let run = try box.run(program)
            #expect(run.done == 0, "\(run.stderr)")
            let facts = try ProbeProgram.parse(run.lines, request: request)
            for path in paths {
                let expected: HostFacts.PathKind =
                    path == "/opt/link" ? .symlink : path == "/opt/file" || path == "/opt/there/a" ? .file : .missing
                #expect(facts.paths[path] == expected, "\(path)")
            }
        }
        let rendered = ProbeProgram.render(request: ProbeRequest(paths: fresh), layout: Self.layout, runnerPID: nil)
        #expect(rendered.lines.filter { $0.hasPrefix("t_stats_under '/opt/new/d' ") }.count == 2)
        #expect(!rendered.lines.contains { $0.hasPrefix("t_stats ") })
    }

    /// A batch whose paths all exist is answered by one stat: the kinds come from its lines,
    /// as the look at each path would give them.
    @Test("a batch whose paths all exist takes its kinds from stat", .sandboxed)
    func allThere() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write("/opt/all/f", "x")
        try FileManager.default.createDirectory(atPath: box.host("/opt/all/d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: box.host("/opt/all/l"), withDestinationPath: "f")
        try FileManager.default.createSymbolicLink(atPath: box.host("/opt/all/dangling"), withDestinationPath: "none")
        #expect(mkfifo(box.host("/opt/all/fifo"), 0o644) == 0)
        let request = ProbeRequest(paths: [
            "/opt/all", "/opt/all/f", "/opt/all/d", "/opt/all/l", "/opt/all/dangling", "/opt/all/fifo",
        ])
        let run = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil))
        #expect(run.done == 0, "\(run.stderr)")
        #expect(run.lines.contains { if case .fact("stats-all", _) = $0 { true } else { false } })
        let facts = try ProbeProgram.parse(run.lines, request: request)
        #expect(
            facts.paths == [
                "/opt/all": .directory, "/opt/all/f": .file, "/opt/all/d": .directory, "/opt/all/l": .symlink,
                "/opt/all/dangling": .symlink, "/opt/all/fifo": .other,
            ])
        #expect(facts.stats["/opt/all/f"]?.isRegularFile == true && facts.stats["/opt/all/d"]?.isDirectory == true)
        // One path fewer and the same batch is looked at path by path, with the same answers.
        try FileManager.default.removeItem(atPath: box.host("/opt/all/fifo"))
        let mixed = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil))
        #expect(mixed.lines.contains { if case .fact("kinds", _) = $0 { true } else { false } })
        var expected = facts.paths
        expected["/opt/all/fifo"] = .missing
        #expect(try ProbeProgram.parse(mixed.lines, request: request).paths == expected)
    }

    /// `ls -ln`'s mark column says which paths carry an ACL, in a whole batch and in one looked
    /// at path by path (no names are looked up: the column does not need them).
    @Test("an ACL shows in the stats of a whole batch and of a mixed one", .sandboxed)
    func aclMarks() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write("/opt/acl/plain", "x")
        try box.write("/opt/acl/shared", "x")
        let set = try runCommand("/usr/bin/setfacl", ["-m", "u:65534:r", box.host("/opt/acl/shared")])
        try #require(set.status == 0, "setfacl: \(set.stderr)")
        let request = ProbeRequest(paths: ["/opt/acl", "/opt/acl/plain", "/opt/acl/shared"])
        let whole = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: nil))
        #expect(whole.lines.contains { if case .fact("stats-all", _) = $0 { true } else { false } })
        let mixedRequest = ProbeRequest(paths: request.paths + ["/opt/acl/gone"])
        let mixed = try box.run(ProbeProgram.render(request: mixedRequest, layout: Self.layout, runnerPID: nil))
        #expect(mixed.lines.contains { if case .fact("kinds", _) = $0 { true } else { false } })
        for (run, asked) in [(whole, request), (mixed, mixedRequest)] {
            let facts = try ProbeProgram.parse(run.lines, request: asked)
            #expect(facts.stats["/opt/acl/shared"]?.hasACL == true)
            #expect(facts.stats["/opt/acl/plain"]?.hasACL == false)
            #expect(facts.stats["/opt/acl"]?.hasACL == false)
        }
    }

    @Test("a whole batch that comes short, or a bad stats-all, fails the probe")
    func allThereMalformed() throws {
        // A path gone before `ls` (one mark short): the kinds stand, the batch's stats are dropped.
        let line = "2049:12:1:0:0:81a4:1:1700000000.000000000"
        let gone = try ProbeProgram.parse(
            [
                .fact(key: "stats-all", value: "0 2"), .fact(key: "stat-line", value: line),
                .fact(key: "stat-line", value: line), .fact(key: "mark-line", value: "x."), .done(status: 0),
            ], request: ProbeRequest(paths: ["/a", "/b"]))
        #expect(gone.paths == ["/a": .file, "/b": .file] && gone.stats.isEmpty)
        let request = ProbeRequest(paths: ["/a", "/b"])
        let cases: [[ProgramLine]] = [
            [
                .fact(key: "stats-all", value: "0 2"), .fact(key: "stat-line", value: line),
                .fact(key: "mark-line", value: "x."),
            ],
            [.fact(key: "stats-all", value: "1 2")], [.fact(key: "stats-all", value: "x 1")],
            [
                .fact(key: "stats-all", value: "0 1"), .fact(key: "stat-line", value: "bad"),
                .fact(key: "mark-line", value: "x."),
            ],
        ]
        for lines in cases {
            #expect(throws: ProbeError.self, "\(lines)") {
                try ProbeProgram.parse(lines + [.done(status: 0)], request: request)
            }
        }
    }

    @Test("the directory a batch lies under is a whole component of every path's parent")
    func commonDirectory() {
        let cases: [([String], String?)] = [
            (["/opt/a/x", "/opt/a/y"], "/opt/a"), (["/opt/ab/x", "/opt/ac/y"], "/opt"),
            (["/opt/ab/x", "/opt/abc/y"], "/opt"), (["/opt/abc/x", "/opt/ab"], "/opt"),
            (["/opt/a", "/opt/a/b"], "/opt"), (["/opt/a/b/c", "/opt/a"], "/opt"), (["/opt/a/x"], "/opt/a"),
            (["/x"], nil), (["/opt/a/x", "/x"], nil), (["/opt/a/x", "relative/y"], nil), (["relative/y"], nil),
            (["/ö/ä/x", "/ö/ä/y"], "/ö/ä"), (["/ö/äa/x", "/ö/äb/y"], "/ö"),
        ]
        for (paths, expected) in cases {
            #expect(ProbeStats.commonDirectory(paths[...]) == expected, "\(paths)")
        }
    }

    @Test("cleanup file, last successful, deployments and lock round-trip", .sandboxed)
    func bookkeeping() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        let record = CleanupRecord(
            paths: ["/opt/app", "/opt/app/a b", "/opt/app/new\nline", "/opt/app/back\\slash", "/opt/app/nön-äscii"],
            selinuxLabels: ["/opt/app/a b"])
        try FileManager.default.createDirectory(
            atPath: box.host("/opt/tarmac/deployment-instructions"), withIntermediateDirectories: true)
        try Data(record.render()).write(to: URL(fileURLWithPath: box.host(Self.layout.cleanupFile)))
        try box.write(Self.layout.lastSuccessfulFile, Self.layout.deploymentDirectory("d-2") + "\n")
        for (name, time) in [("d-1", 1_000), ("d-2", 2_000), ("odd name\n", 3_000)] {
            let dir = box.host(Self.layout.deploymentDirectory(name))
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: Double(time))], ofItemAtPath: dir)
        }
        let me = getpid()
        try box.write(Self.layout.lockDirectory + "/info", "d-9\n\(me)\n1700000000\n")
        let request = ProbeRequest(paths: ["/opt/app"])
        let run = try box.run(ProbeProgram.render(request: request, layout: Self.layout, runnerPID: me))
        let facts = try ProbeProgram.parse(run.lines, request: request)
        #expect(facts.cleanup == record)
        #expect(facts.lastSuccessful == Self.layout.deploymentDirectory("d-2"))
        #expect(facts.lastSuccessfulExists)
        #expect(
            facts.deployments.sorted { $0.mtime < $1.mtime } == [
                .init(name: "d-1", mtime: 1_000), .init(name: "d-2", mtime: 2_000),
                .init(name: "odd name\n", mtime: 3_000),
            ])
        #expect(facts.lock == HostFacts.Lock(deploymentID: "d-9", pid: me, startedAt: 1_700_000_000, holderAlive: true))
        #expect(run.lines.contains(.fact(key: "lock", value: "642d39 \(me) 1700000000 alive caller")))
        // One stat for all the entries, not one per entry.
        #expect(run.lines.contains { if case .fact("deployment-mtimes", _) = $0 { true } else { false } })
        #expect(!run.lines.contains { if case .fact("deployment", _) = $0 { true } else { false } })
    }

    @Test("deployment entries: batched mtimes and NUL-ended names, or one line per entry")
    func deploymentFacts() throws {
        let request = ProbeRequest()
        func parse(_ facts: [(String, String)]) throws -> [HostFacts.DeploymentDirectory] {
            try ProbeProgram.parse(facts.map { .fact(key: $0.0, value: $0.1) } + [.done(status: 0)], request: request)
                .deployments
        }
        // "d-1\0x\ny\0"
        #expect(
            try parse([("deployment-mtimes", "10 20 "), ("deployment-names", "642d3100780a7900")]) == [
                .init(name: "d-1", mtime: 10), .init(name: "x\ny", mtime: 20),
            ])
        #expect(try parse([("deployment", "30 642d33")]) == [.init(name: "d-3", mtime: 30)])
        for facts in [
            [("deployment-names", "642d3100")],  // names without mtimes
            [("deployment-mtimes", "10 20"), ("deployment-names", "642d3100")],  // fewer names
            [("deployment-mtimes", "10"), ("deployment-names", "642d31")],  // a name not ended by NUL
            [("deployment-mtimes", "10"), ("deployment-names", "00")],  // an empty name
            [("deployment-mtimes", "ten"), ("deployment-names", "642d3100")],
        ] {
            #expect(throws: ProbeError.self, "\(facts)") { try parse(facts) }
        }
    }

    @Test("an untrusted cleanup file fails the probe, naming it, its owner and mode", .sandboxed)
    func untrustedCleanup() throws {
        let box = try ProgramSandbox()
        defer { box.remove() }
        try box.write(Self.layout.cleanupFile, "/opt/app/x\n", mode: 0o666)
        let run = try box.run(ProbeProgram.render(request: ProbeRequest(), layout: Self.layout, runnerPID: 1))
        #expect(run.done == 1)
        #expect(run.steps == ["root failed"])
        #expect(
            run.notes == [
                "the deployment root is not safe: \(Self.layout.cleanupFile) is writable by other users "
                    + "(owner root, uid 0, mode 0666, -rw-rw-rw-): a record tarmac reads back must be a regular file "
                    + "owned by the deployment user and writable by no one else; check it, then remove it"
            ])
        #expect(throws: ProbeError.self) { try ProbeProgram.parse(run.lines, request: ProbeRequest()) }
    }

    @Test("parse refuses a lost or failed probe and malformed facts")
    func parseErrors() throws {
        let request = ProbeRequest(paths: ["/a"])
        #expect(throws: ProbeError.failed(status: nil, note: nil)) {
            try ProbeProgram.parse([.fact(key: "kinds", value: "0 f")], request: request)
        }
        // Kinds past the request's paths, a letter that is no kind, a bad index.
        for value in ["0 ff", "1 f", "0 x", "-1 f", "z f", "0"] {
            #expect(throws: ProbeError.malformed("@fact kinds \(value)")) {
                try ProbeProgram.parse([.fact(key: "kinds", value: value), .done(status: 0)], request: request)
            }
        }
        #expect(throws: ProbeError.truncatedCleanup(expected: 4, received: 2)) {
            try ProbeProgram.parse(
                [.fact(key: "cleanup-hex", value: "2f61"), .fact(key: "cleanup-size", value: "4"), .done(status: 0)],
                request: request)
        }
    }

    @Test("golden: rendered probe")
    func golden() throws {
        let request = ProbeRequest(
            paths: ["/srv/app", "/srv/app/it's here", "/srv/app/$(reboot)"], users: ["www-data"], groups: ["www-data"])
        let layout = HostLayout(root: "/var/lib/tarmac", groupID: "g-web")
        try Golden.check(
            ProbeProgram.render(request: request, layout: layout, runnerPID: nil).description, "programs/probe.sh")
    }
}
