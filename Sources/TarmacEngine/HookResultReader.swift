extension HookResult {
    /// Reads the program lines of `run`'s hook program (see `HookProgram`).
    init(run: HookRun, lines: [ProgramLine]) {
        var reader = Reader(run: run)
        for line in lines { reader.read(line) }
        self = reader.finish()
    }

    /// Collects step, note and done lines; script paths and locations come from the run,
    /// never from the program's output.
    private struct Reader {
        let run: HookRun
        var scripts: [ScriptResult] = []
        var holders: [Int: [OutputHolder]] = [:]
        var warnings: [String] = []
        var exitStatus: Int32?
        var setupFailed = false

        init(run: HookRun) {
            self.run = run
        }

        mutating func read(_ line: ProgramLine) {
            switch line {
            case .step(let name, let status): step(name, status)
            case .note(let text): note(text)
            case .done(let status): exitStatus = status
            case .fact, .output, .fallback, .text: break
            }
        }

        mutating func step(_ name: String, _ status: String) {
            if name == "setup" { setupFailed = true }
            guard let index = scriptIndex(name) else { return }
            let words = status.split(separator: " ")
            let state = Status(step: words.first ?? "")
            let script = run.scripts[index]
            scripts.append(
                ScriptResult(
                    index: index, location: script.location, status: state,
                    durationMilliseconds: words.count > 1 ? Int(words[1]) ?? 0 : 0,
                    message: HookResult.message(state, script), outputHolders: []))
        }

        mutating func note(_ text: String) {
            let (head, rest) = text.splitOnce(" ")
            guard let index = scriptIndex(head) else {
                warnings.append(text)
                return
            }
            let location = run.scripts[index].location
            if let holder = Self.holder(rest) {
                holders[index, default: []].append(holder)
                warnings.append("Script at specified location: \(location): \(rest)")
            } else {
                warnings.append("Script at specified location: \(location) \(rest)")
            }
        }

        /// `process <pid> (<command>) still holds …`
        static func holder(_ text: Substring) -> OutputHolder? {
            guard text.hasPrefix("process ") else { return nil }
            let (pid, rest) = text.dropFirst(8).splitOnce(" ")
            guard let number = Int(pid), rest.hasPrefix("("), let close = rest.firstRange(of: ") still holds") else {
                return nil
            }
            return OutputHolder(
                pid: number, command: String(rest[rest.index(after: rest.startIndex)..<close.lowerBound]))
        }

        func scriptIndex(_ name: some StringProtocol) -> Int? {
            guard name.hasPrefix("script:"), let index = Int(name.dropFirst(7)), run.scripts.indices.contains(index)
            else {
                return nil
            }
            return index
        }

        func finish() -> HookResult {
            var results = scripts
            for index in results.indices { results[index].outputHolders = holders[results[index].index] ?? [] }
            return HookResult(scripts: results, warnings: warnings, exitStatus: exitStatus, failure: failure(results))
        }

        func failure(_ results: [ScriptResult]) -> String? {
            if let failed = results.first(where: { $0.status != .succeeded }) { return failed.message }
            if setupFailed {
                return "the hook program for \(run.event) could not prepare the host: "
                    + (warnings.isEmpty
                        ? "creating the log or output directory failed" : warnings.joined(separator: "; "))
            }
            guard let exitStatus else {
                return
                    "the hook program for \(run.event) ended without reporting a result; the connection or the program was lost"
            }
            if exitStatus != 0 || results.count != run.scripts.count {
                return
                    "the hook program for \(run.event) ended with status \(exitStatus) after \(results.count) of \(run.scripts.count) script(s)"
            }
            return nil
        }
    }

    /// The message for a script that did not succeed (spec §3.2, §3.7, §3.8 wording).
    static func message(_ status: Status, _ script: HookRun.Script) -> String? {
        let subject =
            "Script at specified location: \(script.location)" + (script.runas.map { " run as user \($0)" } ?? "")
        switch status {
        case .succeeded: return nil
        case .missing: return "Script does not exist at specified location: \(script.path)"
        case .notExecutable: return "Unable to set script at specified location: \(script.location) as executable"
        case .unknownUser:
            return "Script at specified location: \(script.location) cannot run as user \(script.runas ?? ""): "
                + "no such user on this host; create the user or change runas in the AppSpec"
        case .failed(let code): return "\(subject) failed with exit code \(code)"
        case .signaled(let signal): return "\(subject) failed: killed by signal \(signal)"
        case .timedOut:
            return "Script at specified location: \(script.location) failed to complete in \(script.timeout) seconds"
        case .unknown(let text): return "\(subject) ended with an unknown status: \(text)"
        }
    }
}

extension StringProtocol {
    /// The text before the first `separator` and the text after it (empty when absent).
    fileprivate func splitOnce(_ separator: Character) -> (SubSequence, SubSequence) {
        guard let index = firstIndex(of: separator) else { return (self[...], self[endIndex...]) }
        return (self[..<index], self[self.index(after: index)...])
    }
}
