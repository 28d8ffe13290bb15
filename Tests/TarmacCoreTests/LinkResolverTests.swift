import TarmacCore
import Testing

@Suite("LinkResolver: symlinks resolved the way the host resolves them")
struct LinkResolverTests {
    typealias Node = LinkResolver.Node

    static func resolver(_ nodes: [String: Node]) -> LinkResolver { LinkResolver(nodes: nodes) }

    static func escapes(_ outcome: LinkResolver.Outcome) -> Bool {
        if case .escapes = outcome { return true }
        return false
    }

    static func unresolvable(_ outcome: LinkResolver.Outcome) -> Bool {
        if case .unresolvable = outcome { return true }
        return false
    }

    @Test func aChainThroughAnEarlierLinkEscapes() {
        // Each link alone looks harmless lexically: "d1/d2/up" → "../.." is the root, and
        // "pw" → "d1/d2/up/../etc/passwd" reads as "d1/d2/etc/passwd". But "up" resolves
        // first, to the root, and the ".." after it climbs out.
        let links = Self.resolver([
            "d1/d2/up": .symlink(target: "../.."),
            "pw": .symlink(target: "d1/d2/up/../etc/passwd"),
        ])
        let outcome = links.resolve("pw")
        #expect(Self.escapes(outcome), "\(outcome)")
        if case .escapes(let hops) = outcome {
            #expect(hops.map(\.link) == ["pw", "d1/d2/up"])
        }
        #expect(MemberRules.linkProblems(links).count == 1)
    }

    @Test func dotDotAfterALinkClimbsFromTheLinkTarget() {
        // "deep" points two levels down; "deep/../../.." is then one level above the root.
        let links = Self.resolver([
            "a/b/file": .file,
            "deep": .symlink(target: "a/b"),
            "out": .symlink(target: "deep/../../.."),
            "in": .symlink(target: "deep/../../a/b/file"),
        ])
        #expect(Self.escapes(links.resolve("out")))
        #expect(links.resolve("in") == .inside(path: "a/b/file", node: .file, hops: links.hopsOf("in")))
        // Lexically "deep/.." is the root; on the host it is "a".
        if case .inside(let path, let node, _) = links.resolve("deep/..") {
            #expect(path == "a" && node == .directory)
        } else {
            Issue.record("deep/.. should stay inside")
        }
    }

    @Test func absoluteTargetsEscapeAnywhereInAChain() {
        let links = Self.resolver([
            "etc": .symlink(target: "/etc"),
            "x": .symlink(target: "y"),
            "y": .symlink(target: "etc/passwd"),
        ])
        #expect(Self.escapes(links.resolve("etc")))
        #expect(Self.escapes(links.resolve("x")))
        #expect(Self.escapes(links.resolve("/absolute")))
        #expect(MemberRules.linkProblems(links).count == 3)
    }

    @Test func loopsAndDeepChainsAreUnresolvable() {
        let loop = Self.resolver(["a": .symlink(target: "b"), "b": .symlink(target: "a")])
        #expect(Self.unresolvable(loop.resolve("a")))
        let selfLoop = Self.resolver(["s": .symlink(target: "s/x")])
        #expect(Self.unresolvable(selfLoop.resolve("s")))
        // 40 links in a row resolve (Linux's limit); 41 do not.
        var chain: [String: Node] = ["end": .file]
        for index in 0..<41 { chain["l\(index)"] = .symlink(target: index == 40 ? "end" : "l\(index + 1)") }
        let deep = Self.resolver(chain)
        #expect(Self.unresolvable(deep.resolve("l0")))
        if case .inside(let path, let node, _) = deep.resolve("l1") {
            #expect(path == "end" && node == .file)
        } else {
            Issue.record("l1 should resolve: \(deep.resolve("l1"))")
        }
        let empty = Self.resolver(["e": .symlink(target: "")])
        #expect(Self.unresolvable(empty.resolve("e")))
        #expect(MemberRules.linkProblems(loop).allSatisfy { $0.contains("cannot be resolved") })
    }

    @Test func linksToDirectoriesThenFiles() {
        let links = Self.resolver([
            "real/scripts/start.sh": .file,
            "scripts": .symlink(target: "real/scripts"),
            "start": .symlink(target: "scripts/start.sh"),
            "dir": .symlink(target: "real"),
        ])
        let start = links.resolve("start")
        if case .inside(let path, let node, let hops) = start {
            #expect(path == "real/scripts/start.sh" && node == .file && hops.count == 2)
        } else {
            Issue.record("\(start)")
        }
        if case .inside(let path, let node, _) = links.resolve("dir/scripts") {
            #expect(path == "real/scripts" && node == .directory)
        }
        #expect(MemberRules.hookLocationProblem("start", links) == nil)
        #expect(MemberRules.hookLocationProblem("scripts/start.sh", links) == nil)
        #expect(MemberRules.hookLocationProblem("dir/scripts", links)?.contains("is a directory") == true)
        #expect(MemberRules.hookLocationProblem("dir/missing.sh", links)?.contains("does not exist") == true)
        #expect(MemberRules.linkProblems(links).isEmpty)
    }

    @Test func followLastStopsAtTheLinkItself() {
        let links = Self.resolver(["l": .symlink(target: "/etc/passwd")])
        #expect(
            links.resolve("l", followLast: false) == .inside(path: "l", node: .symlink(target: "/etc/passwd"), hops: [])
        )
    }

    @Test func missingComponentsAreTakenAsPlainDirectories() {
        // The same name may exist where the files are installed: judge the rest as written.
        let links = Self.resolver(["l": .symlink(target: "nothing/../../x"), "m": .symlink(target: "nothing/../x")])
        #expect(Self.escapes(links.resolve("l")))
        #expect(!Self.escapes(links.resolve("m")))
    }

    @Test func hookThroughAChainOutOfTheRevision() {
        let links = Self.resolver([
            "scripts/run.sh": .file,
            "up": .symlink(target: ".."),
            "hook.sh": .symlink(target: "up/../usr/bin/id"),
        ])
        let problem = MemberRules.hookLocationProblem("hook.sh", links)
        #expect(problem?.contains("leads out of the revision") == true, "\(problem ?? "nil")")
    }
}

extension LinkResolver {
    fileprivate func hopsOf(_ path: String) -> [Hop] {
        switch resolve(path) {
        case .inside(_, _, let hops), .escapes(let hops), .unresolvable(let hops): return hops
        }
    }
}

@Suite("MemberRules: links a files mapping installs on its own")
struct MappingLinkTests {
    @Test func aLinkThatLeavesItsMappedDirectoryIsNamed() {
        let links = LinkResolver(nodes: [
            "site/index.html": .file,
            "config/secret": .file,
            "site/secret": .symlink(target: "../config/secret"),
            "site/home": .symlink(target: "index.html"),
            "site/sub/up": .symlink(target: ".."),
        ])
        #expect(MemberRules.linkProblems(links).isEmpty, "inside the bundle, every link stays inside")
        let problems = MemberRules.mappingLinkProblems(source: "site", links)
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.contains("symlink \"site/secret\" leaves \"site\"") == true, "\(problems)")
        #expect(MemberRules.mappingLinkProblems(source: "", links).isEmpty, "the whole revision is the bundle root")
        #expect(MemberRules.mappingLinkProblems(source: "site/index.html", links).isEmpty, "a file source has no links")
        // A source that is itself a link is installed as that link, next to nothing else.
        let single = MemberRules.mappingLinkProblems(source: "site/secret", links)
        #expect(single.count == 1 && single[0].contains("leaves \"site\""), "\(single)")
        #expect(MemberRules.mappingLinkProblems(source: "site/home", links).isEmpty)
    }

    @Test func theAppSpecNamesTheMapping() {
        var tree = RevisionTree()
        tree.insert("site/index.html", .init(kind: .file))
        tree.insert("etc/passwd", .init(kind: .file))
        tree.insert("site/pw", .init(kind: .symlink, target: "../etc/passwd"))
        let spec = "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www\n"
        let (_, diagnostics) = AppSpec.parse(spec, file: "appspec.yml", tree: tree)
        let errors = diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(errors.count == 1 && errors[0].contains("would resolve outside the destination"), "\(errors)")
        // git's listing has no targets: nothing to judge there (the bundler judges later).
        var gitTree = RevisionTree()
        gitTree.insert("site/index.html", .init(kind: .file))
        gitTree.insert("site/pw", .init(kind: .symlink))
        #expect(AppSpec.parse(spec, file: "appspec.yml", tree: gitTree).1.filter { $0.severity == .error }.isEmpty)
    }
}
