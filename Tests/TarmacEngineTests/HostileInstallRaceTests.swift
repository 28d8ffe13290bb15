import Foundation
import TarmacEngine
import TarmacTestSupport
import Testing

/// The race of issue 11 item 3: while Install copies 20,000 files into a directory a local
/// user owns, that user (a real account, `tarmac-attacker` in a passwd bound over
/// /etc/passwd inside the namespace) plants links in a loop at every file's name, at the
/// staging directories' names and at a subdirectory's name, pointing at a root-owned
/// sentinel outside the destination and at names that do not exist there yet. Install
/// either succeeds without following one or fails saying why; the outside is untouched.
@Suite("Hostile install: the race")
struct HostileInstallRaceTests {
    static let files = 20_000
    static let inSubdirectory = 1_000

    /// The attacker's loop: one `cp -Pf` plants (or re-plants over placed files) a link at
    /// every file name; then the subdirectory and any staging directory are swapped for links.
    static let attack = """
        cd /opt/www || exit 1
        passes=0
        while [ ! -e /opt/stop ]; do
          cp -Pf /opt/evil/* /opt/www/ 2>/dev/null
          cp -Pf /opt/evil-sub/* /opt/www/sub/ 2>/dev/null
          for s in .tarmac-*; do
            [ -e "$s" ] || [ -h "$s" ] || continue
            mv -f -- "$s" "$s.moved" 2>/dev/null && ln -s /opt/outside "$s" 2>/dev/null
          done
          if mv -f sub sub.moved 2>/dev/null; then ln -s /opt/outside sub; rm -f sub; mv -f sub.moved sub; fi
          passes=$((passes + 1)); echo "$passes" > /opt/www/.attack-passes
        done
        """

    static func names(_ count: Int, prefix: String = "f") -> [String] {
        (0..<count).map { prefix + String(repeating: "0", count: 5 - String($0).count) + String($0) }
    }

    @Test("20,000 files copied while the owner of the directory plants links", .sandboxed)
    func race() throws {
        let box = try HostileInstallTests.sandbox()
        defer { box.remove() }
        let archive = box.host(InstallProgramTests.layout.archiveDirectory("d-1"))
        let top = Self.names(Self.files - Self.inSubdirectory)
        let sub = Self.names(Self.inSubdirectory, prefix: "s")
        try FileManager.default.createDirectory(atPath: archive + "/sub", withIntermediateDirectories: true)
        try shell("cd '\(archive)' && seq -f 'f%05g' 0 \(top.count - 1) | xargs touch")
        try shell("cd '\(archive)/sub' && seq -f 's%05g' 0 \(sub.count - 1) | xargs touch")
        // The attacker's links, made once; half at the sentinel, half at names not there yet.
        for (directory, names) in [("/opt/evil", top), ("/opt/evil-sub", sub)] {
            let host = box.host(directory)
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            for (index, name) in names.enumerated() {
                let target = index % 2 == 0 ? "/opt/outside/sentinel" : "/opt/outside/created-" + name
                try FileManager.default.createSymbolicLink(atPath: host + "/" + name, withDestinationPath: target)
            }
            try shell("chown -hR \(HostileInstallTests.attacker):\(HostileInstallTests.attacker) '\(host)'")
        }
        var steps: [InstallPlan.Step] = top.map { InstallProgramTests.copy($0, "/opt/www/" + $0) }
        steps.append(.makeDirectory(path: "/opt/www/sub"))
        steps += sub.map { InstallProgramTests.copy("sub/" + $0, "/opt/www/sub/" + $0) }
        let plan = InstallPlan(steps: steps)
        let run = try RaceSandbox(box: box).run(
            InstallProgram.render(plan: plan, layout: InstallProgramTests.layout, deploymentID: "d-1"),
            attack: Self.attack)

        try HostileInstallTests.expectOutsideUnchanged(box, "\(run.program.lines.suffix(4)) \(run.program.stderr)")
        let passes =
            Int(box.read("/opt/www/.attack-passes")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(passes >= 1, "the attacker ran \(passes) passes")
        #expect(run.attackerStartedFirst, "the attacker was planting before Install started")
        if run.program.done == 0 {
            #expect(run.program.steps.last == "permissions:0 ok")
        } else {
            // Failing is allowed under attack, but only with a clear reason.
            let note = run.program.notes.last ?? ""
            let clear = ["symlink", "replaced while Install ran", "cannot move files", "must go"]
            #expect(clear.contains { note.contains($0) }, "\(note) \(run.program.stderr)")
        }
        #expect(run.program.done != nil, "the program ended by itself: \(run.program.stderr)")
    }
}

/// Item 4 during the attack: while Install removes the previous install's 2,000 files from a
/// directory it made inside the attacker's, the attacker swaps that directory for a link to
/// a root-owned directory holding files of the same names, again and again.
@Suite("Hostile install: the cleanup race")
struct HostileCleanupRaceTests {
    static let attack = """
        cd /opt/www || exit 1
        passes=0
        while [ ! -e /opt/stop ]; do
          if mv -f sub sub.moved 2>/dev/null; then ln -s /opt/outside sub; mv -f sub.moved sub 2>/dev/null; fi
          passes=$((passes + 1)); echo "$passes" > /opt/www/.attack-passes
        done
        """

    @Test("removing 2,000 files while their directory is swapped for a link", .sandboxed)
    func race() throws {
        let box = try HostileInstallTests.sandbox()
        defer { box.remove() }
        let names = HostileInstallRaceTests.names(2_000)
        try FileManager.default.createDirectory(atPath: box.host("/opt/www/sub"), withIntermediateDirectories: true)
        try shell("cd '\(box.host("/opt/www/sub"))' && seq -f 'f%05g' 0 1999 | xargs touch")
        try shell("cd '\(box.host("/opt/outside"))' && seq -f 'f%05g' 0 1999 | xargs -I{} sh -c 'echo keep > {}'")
        let plan = InstallPlan(removals: names.reversed().map { "/opt/www/sub/" + $0 } + ["/opt/www/sub"])
        let run = try RaceSandbox(box: box).run(
            InstallProgram.render(plan: plan, layout: InstallProgramTests.layout, deploymentID: "d-2"),
            attack: Self.attack)
        let outside = try FileManager.default.contentsOfDirectory(atPath: box.host("/opt/outside")).sorted()
        #expect(outside == (["sentinel"] + names).sorted(), "\(run.program.stderr)")
        #expect(names.allSatisfy { box.read("/opt/outside/" + $0) == "keep\n" })
        #expect(box.read("/opt/outside/sentinel") == "sentinel\n")
        #expect(run.program.done != nil, "the program ended by itself: \(run.program.stderr)")
        let passes =
            Int(box.read("/opt/www/.attack-passes")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(passes >= 1 && run.attackerStartedFirst, "the attacker ran \(passes) passes")
    }
}

/// Runs an install program in a mount namespace where `box.root` is /opt and
/// `tarmac-attacker` (uid 4242) exists, with the attacker's loop running as that user.
struct RaceSandbox {
    let box: ProgramSandbox

    struct Result {
        var program: ProgramRun
        var attackerStartedFirst: Bool
    }

    func run(_ script: ShellScript, attack: String) throws -> Result {
        let scratch = try TestPaths.temporaryDirectory("race")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try script.description.write(toFile: scratch + "/program.sh", atomically: true, encoding: .utf8)
        try attack.write(toFile: scratch + "/attack.sh", atomically: true, encoding: .utf8)
        try shell("chmod 0755 '\(scratch)' && chmod 0644 '\(scratch)/attack.sh'")
        let passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        try (passwd + "tarmac-attacker:x:4242:4242:attacker:/nonexistent:/bin/sh\n")
            .write(toFile: scratch + "/passwd", atomically: true, encoding: .utf8)
        // The attacker writes a first pass count before Install starts; the driver waits for
        // it with `read` on a FIFO, not with a sleep.
        let driver = """
            set -e
            mount --bind "$1" /opt
            mount --bind "$2/passwd" /etc/passwd
            mkfifo -m 0666 "$2/ready"
            setpriv --reuid=tarmac-attacker --regid=4242 --clear-groups -- /bin/sh -c \
              'echo started > "$1"; exec /bin/sh "$2"' attacker "$2/ready" "$2/attack.sh" &
            attacker=$!
            read started < "$2/ready"
            set +e
            /bin/sh "$2/program.sh" < /dev/null > "$2/out" 2> "$2/err"
            status=$?
            : > /opt/stop
            wait "$attacker"
            cat "$2/out"; cat "$2/err" >&2
            [ "$started" = started ] && echo "@note attacker-started" > "$2/started"
            exit $status
            """
        let result = try runCommand(
            "/usr/bin/unshare", ["-m", "/bin/sh", "-c", driver, "race", box.root, scratch])
        var text = result.stdout
        if text.hasSuffix("\n") { text.removeLast() }
        let lines =
            text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(ProgramLine.parse)
        return Result(
            program: ProgramRun(lines: lines, status: result.status, stderr: result.stderr),
            attackerStartedFirst: FileManager.default.fileExists(atPath: scratch + "/started"))
    }
}
