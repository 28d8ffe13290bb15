/// Runs one health check's command with a time limit (issue 14), on a host over its transport
/// or on this machine with `sh -c`.
///
///     @o <line>                 the command's output (stdout and stderr), the last 4 KiB
///     @fact status <n>          its exit status; 124 or 137 when `timeout` stopped it
///     @done 0
///
/// `timeout` signals the command's whole process group. The output goes to a temporary file,
/// not a pipe, so a child left behind cannot hold the program (or the SSH channel) open.
public enum HealthCheckProgram {
    /// The exit statuses `timeout` gives a command it stopped.
    public static let timeoutStatuses: Set<Int32> = [124, 137]

    /// The program running `command` for at most `timeout` seconds.
    public static func render(command: String, timeout: Int) -> ShellScript {
        var script = ShellScript()
        script.comment("Run a health check for at most its timeout; report its output and status.")
        script.run("out=$(mktemp)", "||", "{", "printf", "'@fact status 125\\n@done 0\\n';", "exit", "0;", "}")
        script.run(
            "timeout", "-k", "2", .number(timeout), "sh", "-c", .quoted(command), "</dev/null", ">\"$out\"", "2>&1;",
            "status=$?")
        script.run("{", "tail", "-c", "4096", "\"$out\";", "echo;", "}", "|", "sed", "'/^$/d; s/^/@o /'")
        script.run("rm", "-f", "\"$out\"")
        script.run("printf", "'@fact status %s\\n@done 0\\n'", "\"$status\"")
        return script
    }

    /// The exit status and output the program reported; nil when it reported none.
    public static func parse(_ lines: [ProgramLine]) -> (status: Int32, output: String)? {
        var status: Int32?
        var output: [String] = []
        for line in lines {
            switch line {
            case .fact(let key, let value) where key == "status": status = Int32(value)
            case .output(_, let text): output.append(text)
            default: continue
            }
        }
        return status.map { ($0, output.joined(separator: "\n")) }
    }
}
