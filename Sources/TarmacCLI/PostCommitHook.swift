import TarmacEngine

/// The Git `post-commit` hook `tarmac hook install` writes, as a value: a POSIX `sh` program
/// that runs a chained hook first, then starts `tarmac run --background` for the new commit.
///
/// The hook never fails or holds up a commit: the run is started with stdin from `/dev/null`
/// and its output in a temporary file (a detached process keeping a pipe open would block a
/// command substitution), and when it does not start the hook prints one line and goes on.
/// It exits with the chained hook's status, so that hook behaves as it did on its own.
enum PostCommitHook {
    /// The line that marks a hook as tarmac's: only such a hook is rewritten or removed.
    static let marker = "# tarmac post-commit hook"

    /// A hook that was there before, renamed with this suffix; tarmac's hook runs it first.
    static let chainedSuffix = ".tarmac-chained"

    /// The hook program for the tarmac binary at `tarmac` (absolute).
    static func render(tarmac: String) -> ShellScript {
        var s = ShellScript()
        s.run(.literal("#!/bin/sh"))
        s.run(.literal("# tarmac post-commit hook"))
        s.comment("Written by `tarmac hook install`; `tarmac hook uninstall` removes it and puts back")
        s.comment("the hook it chained. It starts the pipeline for every new commit and never fails the commit.")
        s.run(.literal("status=0"))
        s.comment("The hook that was here before runs first; its status is the hook's status.")
        // Git itself skips hooks that are not executable; so does the chain.
        s.ifThen([.literal("[ -x \"$0.tarmac-chained\" ]")]) { s in
            s.run(.literal("\"$0.tarmac-chained\" \"$@\""))
            s.run(.literal("status=$?"))
        }
        s.comment("The tarmac that installed the hook, or the one on PATH when that one is gone.")
        s.run("set", "--", .quoted(tarmac))
        s.run(.literal("tarmac=$1"))
        s.run(.literal("[ -x \"$tarmac\" ] || tarmac=tarmac"))
        s.run(.literal("commit=$(git rev-parse HEAD 2>/dev/null) || exit \"$status\""))
        s.run(.literal("errors=$(mktemp 2>/dev/null) || errors=/dev/null"))
        s.ifThen([
            .literal(
                "! \"$tarmac\" run --background --trigger post-commit --rev \"$commit\" </dev/null >/dev/null 2>\"$errors\""
            )
        ]) { s in
            s.run(.literal("line="))
            s.run(.literal("[ \"$errors\" = /dev/null ] || IFS= read -r line <\"$errors\" || :"))
            s.run(.literal("short=$(git rev-parse --short \"$commit\" 2>/dev/null) || short=$commit"))
            s.run(
                .literal(
                    "printf 'tarmac: the pipeline did not start for %s: %s\\n' \"$short\" \"${line:-no message}\" >&2"
                ))
        }
        s.run(.literal("[ \"$errors\" = /dev/null ] || rm -f -- \"$errors\""))
        s.run(.literal("exit \"$status\""))
        return s
    }

    /// Whether hook text is tarmac's: it carries the marker line.
    static func isTarmacs(_ text: [UInt8]) -> Bool {
        text.split(separator: UInt8(ascii: "\n")).contains { $0.elementsEqual(marker.utf8) }
    }
}
