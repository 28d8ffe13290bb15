import Foundation
import Synchronization
import Testing

/// A fleet of real OpenSSH hosts on this machine, made by `Fixtures/fleet/fleet.sh`: each
/// host is a network namespace with its own address, running a real minimal system — a
/// private copy-on-write overlay of a cached Debian 11, 12 or 13 root (debootstrap minbase
/// with openssh-server, `Fixtures/fleet/roots.sh`) — with that system's own sshd chrooted
/// into it. A host has what a minimal server has: sh, bash, coreutils, tar, gzip, procps,
/// runuser, useradd; no python3, sudo or setfacl unless its system is a `…Full` one.
///
/// Start one per test and stop it in a `defer`:
///
///     let fleet = try Fleet.start(hosts: 3)  // host1 Debian 11, host2 Debian 12, host3 Debian 13
///     defer { try? fleet.stop() }
///
/// A suite that uses fleets takes the `Fleet.trait` trait: without root or the roots the
/// tests are skipped, saying why; with `TARMAC_REQUIRE_FLEET=1` they fail instead.
///
/// `Fleet.start(hosts: n, bastion: true)` puts the hosts behind a bastion (`fleet.bastion`):
/// this machine cannot reach them, `groupYAML()` adds `proxy_jump` through it, and `ssh`
/// goes through it unless told `direct: true`.
///
/// Fleets left running when the test process exits normally are stopped by an `atexit`
/// hook; after a crash, `make fleet-clean` stops them. Several fleets (parallel suites,
/// a demo) run side by side: the script claims each a fleet id, and so a /24, of its own.
public final class Fleet: Sendable {
    /// A system a host can run: a cached Debian root (`roots.sh`), named as its directory.
    public enum System: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Debian 11 bullseye, OpenSSH 8.4.
        case debian11 = "debian-11"
        /// Debian 12 bookworm, OpenSSH 9.2.
        case debian12 = "debian-12"
        /// Debian 13 trixie, OpenSSH 10.0.
        case debian13 = "debian-13"
        /// The same systems with sudo, acl (setfacl) and python3 installed.
        case debian11Full = "debian-11-full"
        case debian12Full = "debian-12-full"
        case debian13Full = "debian-13-full"

        /// The three minimal systems, the order a fleet cycles through by default.
        public static let minimal: [System] = [.debian11, .debian12, .debian13]

        public var description: String { rawValue }
    }

    /// One host of the fleet.
    public struct Host: Sendable, Hashable, CustomStringConvertible {
        /// `host1`, `host2`, …; also the host's hostname.
        public let name: String
        /// The IPv4 address its sshd listens on (port 22).
        public let address: String
        /// Its network namespace (`ip netns`).
        public let namespace: String
        /// The merged root: what the host sees as `/`.
        public let root: String
        /// The overlay's upper directory: only what the host changed.
        public let upper: String
        /// The system it runs (the overlay's lower layer).
        public let system: System

        public var description: String { name }
    }

    /// The script that makes and breaks fleets.
    public static let script = TestPaths.fixtures + "/fleet/fleet.sh"

    /// Where the systems' roots are cached (`TARMAC_ROOTS_DIR`; `make roots` builds them).
    public static var rootsDirectory: String {
        ProcessInfo.processInfo.environment["TARMAC_ROOTS_DIR"] ?? "/var/cache/tarmac-test/roots"
    }

    /// Why no fleet of `systems` can run here (not root, no ip or ssh, a system not built),
    /// or nil when one can.
    public static func missing(systems: [System] = System.minimal) -> String? {
        let files = FileManager.default
        if let notRoot = Requirement.root(for: "network namespaces and mounts for the test fleet") { return notRoot }
        let hasIP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].contains(where: files.isExecutableFile)
        guard hasIP else { return "the test fleet needs ip (apt-get install iproute2)" }
        guard files.isExecutableFile(atPath: "/usr/bin/ssh"), files.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
        else { return "the test fleet needs ssh and ssh-keygen (apt-get install openssh-client)" }
        let unbuilt = systems.filter { !files.isExecutableFile(atPath: "\(rootsDirectory)/\($0)/usr/sbin/sshd") }
        guard unbuilt.isEmpty else {
            let names = unbuilt.map(\.rawValue).joined(separator: " ")
            return "the test fleet's systems \(names) are not built in \(rootsDirectory) (make roots)"
        }
        return nil
    }

    /// True where a fleet of the minimal systems can run. A suite takes `trait()` instead:
    /// `.enabled(if: isAvailable)` would skip where `TARMAC_REQUIRE_FLEET=1` must fail.
    public static var isAvailable: Bool { missing() == nil }

    /// Runs a suite where a fleet of `systems` can run; elsewhere skips it saying why, or,
    /// with `TARMAC_REQUIRE_FLEET=1`, runs it so that `start` fails each test with the reason.
    public static func trait(systems: [System] = System.minimal) -> ConditionTrait {
        Requirement.trait { missing(systems: systems) }
    }

    /// The fleet's directory (keys, known_hosts, hosts.tsv, sshd logs); removed by `stop()`.
    public let directory: String
    public let hosts: [Host]
    /// The bastion of a fleet started with `bastion: true`: the only way to its hosts.
    public let bastion: Host?
    /// The client key authorised for root on every host.
    public var identityPath: String { directory + "/id_ed25519" }
    /// Every host's keys, one line per `address keytype key`.
    public var knownHostsPath: String { directory + "/known_hosts" }

    private let stopped = Mutex(false)

    private init(directory: String, hosts: [Host], bastion: Host? = nil) {
        self.directory = directory
        self.hosts = hosts
        self.bastion = bastion
    }

    /// Starts `count` hosts (each with a `diskSize` tmpfs for its changes) and waits until
    /// every sshd answers. Host i runs `systems[(i - 1) % systems.count]`. With `bastion`, the
    /// hosts are reachable only through a bastion host (`fleet.bastion`): this machine has no
    /// route to them.
    public static func start(
        hosts count: Int, systems: [System] = System.minimal, diskSize: String = "256m", bastion: Bool = false
    ) throws -> Fleet {
        precondition(!systems.isEmpty, "a fleet needs at least one system")
        try Requirement.check(missing(systems: systems))
        _ = exitHook
        let directory = try TestPaths.temporaryDirectory("fleet")
        Fleet.live.withLock { _ = $0.insert(directory) }
        do {
            let list = systems.map(\.rawValue).joined(separator: ",")
            let arguments =
                ["start", directory, String(count), "--disk-size", diskSize, "--system", list]
                + (bastion ? ["--bastion"] : [])
            try script(arguments)
            let fleet = Fleet(
                directory: directory, hosts: try readHosts(directory + "/hosts.tsv"),
                bastion: bastion ? try readHosts(directory + "/bastion.tsv").first : nil)
            return fleet
        } catch {
            // start has torn down what it made (the error holds the end of the sshd log).
            try? Fleet.stop(directory: directory)
            throw error
        }
    }

    /// The host named `name` (`host1`, …).
    public subscript(name: String) -> Host {
        guard let host = hosts.first(where: { $0.name == name }) else {
            preconditionFailure("no \(name) in a fleet of \(hosts.count)")
        }
        return host
    }

    /// The host's merged root, where a test reads what was installed on it.
    public func root(of host: Host) -> String { host.root }

    /// A `groups:` entry for a tarmac.yml, indented to follow a `groups:` line; `extra` lines
    /// (e.g. `"deployment_root: /var/lib/tarmac"`) are added to the group as they are.
    public func groupYAML(
        name: String = "fleet", config: String = "AllAtOnce", hosts: [Host]? = nil, extra: [String] = []
    ) -> String {
        var lines = ["  \(name):", "    hosts:"]
        lines += (hosts ?? self.hosts).map { "      - { name: \($0.name), address: \($0.address) }" }
        lines += [
            "    user: root", "    identity: \(identityPath)", "    known_hosts: \(knownHostsPath)",
            "    config: \(config)",
        ]
        if let bastion { lines.append("    proxy_jump: root@\(bastion.address)") }
        lines += extra.map { "    " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Stopping

    /// Stops every host and removes the fleet's directory; a second call does nothing.
    /// Throws (and keeps the directory, with its sshd logs) if something could not be undone.
    public func stop() throws {
        let first = stopped.withLock { done in
            let wasDone = done
            done = true
            return !wasDone
        }
        guard first else { return }
        try Fleet.stop(directory: directory)
    }

    private static func stop(directory: String) throws {
        try script("stop", directory)
        live.withLock { _ = $0.remove(directory) }
        // stop verified nothing is mounted below; --one-file-system is the belt to those braces.
        try runCommand("/bin/rm", ["-rf", "--one-file-system", directory], check: true)
    }

    /// Directories of fleets started by this process and not yet stopped.
    private static let live = Mutex(Set<String>())

    /// Stops what tests left running when the process exits normally.
    private static let exitHook: Void = {
        atexit {
            for directory in Fleet.live.withLock({ $0 }) { try? Fleet.stop(directory: directory) }
        }
    }()

    @discardableResult
    static func script(_ arguments: String...) throws -> CommandResult {
        try script(arguments)
    }

    @discardableResult
    static func script(_ arguments: [String]) throws -> CommandResult {
        // The fleet belongs to this process: `fleet.sh clean` leaves it alone while we run.
        try runCommand(
            "/bin/bash", [script] + arguments, environment: ["TARMAC_FLEET_OWNER": String(getpid())],
            check: true)
    }

    private static func readHosts(_ path: String) throws -> [Host] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let field = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard field.count >= 7, let system = System(rawValue: field[6]) else {
                throw FleetError(message: "\(path): bad line '\(line)'")
            }
            return Host(
                name: field[0], address: field[1], namespace: field[2], root: field[3], upper: field[4],
                system: system)
        }
    }
}

/// Something about the fleet's own files was not as fleet.sh writes them.
public struct FleetError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
