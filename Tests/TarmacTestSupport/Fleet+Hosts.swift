import Foundation

/// Faults a test puts on a fleet host, and commands run on it (inside it, or over SSH).
extension Fleet {
    // MARK: Faults

    /// Takes the host's link down: new connections time out, established ones stall.
    public func cut(_ host: Host) throws { try Fleet.script("cut", directory, host.name) }
    /// Brings the host's link back up; stalled connections carry on.
    public func mend(_ host: Host) throws { try Fleet.script("mend", directory, host.name) }
    /// Stops the host's sshd: new connections are refused (running sessions go on).
    public func stopSSHD(_ host: Host) throws { try Fleet.script("stop-sshd", directory, host.name) }
    /// Starts the host's sshd again and waits until it answers.
    public func startSSHD(_ host: Host) throws { try Fleet.script("start-sshd", directory, host.name) }
    /// Fills the host's disk: writes on it fail with "No space left on device".
    public func fill(_ host: Host) throws { try Fleet.script("fill", directory, host.name) }
    /// Frees the host's disk again.
    public func unfill(_ host: Host) throws { try Fleet.script("unfill", directory, host.name) }

    // MARK: Running things on hosts

    /// Runs `command` inside the host (its network, hostname and root), not over SSH.
    @discardableResult
    public func exec(_ host: Host, _ command: [String]) throws -> CommandResult {
        try runCommand("/bin/bash", [Fleet.script, "exec", directory, host.name, "--"] + command)
    }

    /// The system OpenSSH client's arguments for logging in to `host` as root with the
    /// fleet's key and strict host key checking (no user config, no agent, no prompts).
    /// To keep a session running while other commands run, start ssh under `bash -c
    /// '/usr/bin/ssh "$@"; exit $?'`, not as a Foundation `Process` of its own: ssh closes
    /// the descriptor Foundation watches for a child's exit, and Foundation then blocks
    /// reaping it, and every other child, until ssh ends.
    /// Behind a bastion, `direct` leaves out the way through it (to show there is no other).
    public func sshArguments(_ host: Host, connectTimeout: Int = 5, direct: Bool = false) -> [String] {
        let options = [
            "-F", "/dev/null", "-i", identityPath, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=\(knownHostsPath)", "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)", "-o", "LogLevel=ERROR",
        ]
        var jump: [String] = []
        if let bastion, !direct, host != bastion {
            // Options given on the command line do not reach -J's jump ssh: spell it out.
            let inner = (["/usr/bin/ssh"] + options + ["-W", "%h:%p", "root@\(bastion.address)"]).joined(separator: " ")
            jump = ["-o", "ProxyCommand=\(inner)"]
        }
        return options + jump + ["root@\(host.address)"]
    }

    /// Runs a shell command on `host` over SSH with the system client; a failure is a result.
    @discardableResult
    public func ssh(_ host: Host, _ command: String, connectTimeout: Int = 5, direct: Bool = false) throws
        -> CommandResult
    {
        try runCommand(
            "/usr/bin/ssh", sshArguments(host, connectTimeout: connectTimeout, direct: direct) + ["--", command])
    }
}
