/// Runs one health check's command on a host with a time limit (issue 14).
///
///     @o <line>                 the command's output (stdout and stderr), the last 4 KiB
///     @fact status <n>          its exit status; 124 or 137 when `timeout` stopped it
///     @done 0
///
/// `timeout` runs the command in its own process group and signals the whole group, so a
/// check that started children cannot keep the session open past its limit.
public enum HealthCheckProgram {
    /// The exit statuses `timeout` gives a command it stopped.
    public static let timeoutStatuses: Set<Int32> = [124, 137]

    /// The program running `command` for at most `timeout` seconds.
    public static func render(command: String, timeout: Int) -> ShellScript {
        var script = ShellScript()
        script.comment("Run a health check for at most its timeout; report its output and status.")
        script.run(
            "out=$(timeout", "-k", "2", .number(timeout), "sh", "-c", .quoted(command), "</dev/null", "2>&1);",
            "status=$?")
        script.run("printf", "'%s\\n'", "\"$out\"", "|", "tail", "-c", "4096", "|", "sed", "'s/^/@o /'")
        script.run("printf", "'@fact status %s\\n@done 0\\n'", "\"$status\"")
        return script
    }

    /// The command line run on the build box for a `run_on: local` check.
    public static func localCommand(command: String, timeout: Int) -> String {
        ShellCommand(["exec", "timeout", "-k", "2", .number(timeout), "sh", "-c", .quoted(command)]).description
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
        while output.last?.isEmpty == true { output.removeLast() }
        return status.map { ($0, output.joined(separator: "\n")) }
    }
}
