import Foundation
import TarmacTestSupport

/// A `PrivateMounts` namespace with two real non-root users of its own: `tmhostile` (the
/// local attacker) and `tmrunas` (a hook's runas user). They exist only inside the namespace:
/// copies of /etc/passwd and /etc/group with their lines are bind-mounted over the real ones.
/// Scripts see `$EVIL` and `$RUNAS` (the names) and `$EVIL_UID`.
struct HostileSandbox {
    let mounts: PrivateMounts
    let evilUID: UInt32
    let runasUID: UInt32
    /// A uid no user has, for a user a hook creates.
    let spareUID: UInt32
    static let evil = "tmhostile"
    static let runas = "tmrunas"

    var root: String { mounts.deploymentRoot }
    var opt: String { mounts.optDirectory }

    /// Throws the reason when this machine cannot make mount namespaces (not root).
    static func make() throws -> HostileSandbox {
        let mounts = try PrivateMounts.make()
        let free = (42_400...60_000).lazy.map(UInt32.init).filter { getpwuid($0) == nil && getgrgid($0) == nil }
        let uids = Array(free.prefix(3))
        let sandbox = HostileSandbox(mounts: mounts, evilUID: uids[0], runasUID: uids[1], spareUID: uids[2])
        var passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        var group = try String(contentsOfFile: "/etc/group", encoding: .utf8)
        for (name, uid) in [(evil, uids[0]), (runas, uids[1])] {
            passwd += "\(name):x:\(uid):\(uid):tarmac test user:/nonexistent:/bin/sh\n"
            group += "\(name):x:\(uid):\n"
        }
        try passwd.write(toFile: mounts.root + "/passwd", atomically: true, encoding: .utf8)
        try group.write(toFile: mounts.root + "/group", atomically: true, encoding: .utf8)
        return sandbox
    }

    /// Runs `script` in the namespace with the users present (see `PrivateMounts.run`).
    func run(_ script: String, environment: [String: String] = [:]) throws -> CommandResult {
        var env = environment
        env["EVIL"] = Self.evil
        env["RUNAS"] = Self.runas
        env["EVIL_UID"] = "\(evilUID)"
        let users = """
            mount --bind "$MOUNTS/passwd" /etc/passwd && mount --bind "$MOUNTS/group" /etc/group || exit 99
            getent passwd "$EVIL" >/dev/null || exit 98

            """
        return try mounts.run(users + script, environment: env)
    }

    /// Runs `command` as the attacker inside the namespace; its status and output.
    func asEvil(_ command: String) throws -> CommandResult {
        try run("runuser -u \"$EVIL\" -- sh -c \"$CMD\"", environment: ["CMD": command])
    }

    func remove() {
        // Files the users made (uids that exist nowhere else) go with the directory.
        mounts.remove()
    }
}

/// A foreign (CodeDeploy-style) bundle made with `tar` from `files`: (path, mode, contents);
/// paths ending in `/` are directories. The members keep exactly the given modes.
func foreignBundle(_ files: [(String, Int, String)], directory: String) throws -> String {
    let tree = directory + "/tree"
    for (path, mode, contents) in files {
        let full = tree + "/" + path
        if path.hasSuffix("/") {
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        } else {
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try contents.write(toFile: full, atomically: false, encoding: .utf8)
        }
    }
    // Modes last, deepest first, so a directory's own mode never blocks writing into it.
    for (path, mode, _) in files.reversed() {
        guard chmod(tree + "/" + path, mode_t(mode)) == 0 else { throw SandboxError(message: "chmod \(path)") }
    }
    // The archive's own `./` entry is world-writable too, as a careless foreign bundle's is.
    guard chmod(tree, 0o777) == 0 else { throw SandboxError(message: "chmod \(tree)") }
    let bundle = directory + "/foreign.tar.gz"
    try runCommand("/bin/tar", ["-C", tree, "--owner=0", "--group=0", "-czf", bundle, "."], check: true)
    return bundle
}

struct SandboxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
