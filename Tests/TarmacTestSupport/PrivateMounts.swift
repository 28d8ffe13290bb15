import Foundation
import Testing

/// Runs a shell script in a private mount namespace (`unshare -m`) where `/opt` is a fresh
/// directory of the test's own, so `tarmac apply` installs to real absolute paths without
/// touching the machine. `/opt` is a tmpfs seeded from `optDirectory`, and what the script
/// leaves there is copied back when it ends (the tmpfs itself goes with the namespace).
public struct PrivateMounts: Sendable {
    public let root: String
    public var optDirectory: String { root + "/opt" }
    /// A deployment root outside /opt, kept between runs.
    public var deploymentRoot: String { root + "/deployment-root" }

    /// Why this machine cannot make them (not root, no mount namespaces), or nil.
    public static var missing: String? { Requirement.mountNamespaces }

    /// Runs a suite where mount namespaces work; elsewhere skips it saying why, or with
    /// `TARMAC_REQUIRE_FLEET=1` runs it so that `make` fails each test with the reason.
    public static var trait: ConditionTrait { Requirement.trait { missing } }

    /// Throws the reason when this machine cannot make mount namespaces.
    public static func make() throws -> PrivateMounts {
        try Requirement.check(missing)
        let mounts = PrivateMounts(root: try TestPaths.temporaryDirectory("mounts"))
        for directory in [mounts.optDirectory, mounts.deploymentRoot, mounts.root + "/run", mounts.root + "/log"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return mounts
    }

    /// Runs `script` with `sh` inside the namespace; `$TARMAC` is the binary, `$ROOT` the deployment root.
    public func run(_ script: String, environment: [String: String] = [:]) throws -> CommandResult {
        // The toolchain's runtime lives in /opt/swift (a debug tarmac links it), so it is
        // bound back into the private /opt, on a mount point outside the test's own directory.
        let wrapper = """
            set -e
            mkdir -p "$MOUNTS/real-opt" "$MOUNTS/opt"
            mount --bind /opt "$MOUNTS/real-opt"
            mount -t tmpfs -o size=64m tarmac-opt /opt
            mkdir /opt/.swift-runtime-mount
            if [ -d "$MOUNTS/real-opt/swift" ]; then mkdir /opt/swift && mount --bind "$MOUNTS/real-opt/swift" /opt/swift; fi
            tar -C "$MOUNTS/opt" -cf - . | tar -C /opt -xpf -
            mount --bind "$MOUNTS/run" /run
            set +e
            \(script)
            status=$?
            find "$MOUNTS/opt" -mindepth 1 -delete
            tar -C /opt --exclude=./swift --exclude=./.swift-runtime-mount -cf - . | tar -C "$MOUNTS/opt" -xpf -
            exit $status
            """
        var env = environment
        env["MOUNTS"] = root
        env["TARMAC"] = TestPaths.tarmac
        env["ROOT"] = deploymentRoot
        return try runCommand("unshare", ["-m", "--propagation", "private", "sh", "-c", wrapper], environment: env)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
