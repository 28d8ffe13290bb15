"""make bench, the sections of small changes (issue #13): what deploying a commit that changes
little costs, against rsync and tar measured alternately in the same run.

  onefile      swift-protobuf installed on 8 fleet hosts first, by tarmac and by rsync (not
               timed); then each round commits a change to one file and times `tarmac deploy`
               of it against `rsync -a --delete` of the same tree over OpenSSH to the same 8
               hosts, into a directory of its own on each host; the two alternate in order.
  commits      N small commits (--commits, default 100) deployed one after another to the same
               8 hosts by both: total time and total bytes sent. With full bundles (before
               deltas) a commit cost about 14 s on the 2-core machine under load: 100 took 24
               minutes; --commits 20 gives a quicker look.
  delta-apply  one host (a private mount namespace): `tarmac apply` of a one-file change over
               the installed revision PREV, as the full bundle and as `tarmac bundle --base
               PREV`, each against `tar -xzf` of the full bundle into an empty directory.

Bytes sent are the kernel's count of what this machine transmitted on the hosts' veth links
(/sys/class/net/<link>/statistics/tx_bytes, read before and after): SSH, TCP and IP headers
included, whatever tarmac or rsync say about themselves. The fleet's hosts run the
debian-N-bench systems (Fixtures/fleet/roots.sh: -full + rsync), built by `make bench-roots`.
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

import bench

GROUP = "fleet"
HOSTS = 8
SYSTEMS = "debian-11-bench,debian-12-bench,debian-13-bench"
RSYNC_DEST = "/opt/bench-rsync"
COMMIT_EPOCH = 1767225600  # 2026-01-01T00:00:00Z: the bench's commits are a minute apart from here


def missing_roots():
    """The debian-N-bench systems not built yet (their hosts have the rsync the floor needs)."""
    roots = os.environ.get("TARMAC_ROOTS_DIR", "/var/cache/tarmac-test/roots")
    return [s for s in SYSTEMS.split(",") if not os.access(os.path.join(roots, s, "usr/bin/rsync"), os.X_OK)]


# --- the repository and its commits ----------------------------------------------------------


class Changes:
    """A clone of the bench's swift-protobuf repository that makes small commits, and a second
    checkout of it (a git worktree) that follows them: the tree rsync sends. `git checkout`
    rewrites only the files a commit changed, so the others keep their mtime, as in a
    developer's tree."""

    def __init__(self, source, directory):
        self.repo = directory
        subprocess.run(["git", "-c", "advice.detachedHead=false", "clone", "-q", source, directory], check=True)
        with_fleet_appspec(directory)
        self.files = sorted(line for line in git_out(["ls-files", "Sources"], directory).splitlines()
                            if line.endswith(".swift"))
        self.count, self.added = 0, []
        self.floor = directory + "-floor"
        git(["worktree", "add", "-q", "--detach", self.floor, "HEAD"], directory)

    def commit(self, add=False, remove=False):
        """Appends a line to one file (a different one each time), optionally adds a new file and
        removes one an earlier commit added; commits; moves the floor's checkout to it."""
        self.count += 1
        path = self.files[(self.count * 37) % len(self.files)]
        with open(os.path.join(self.repo, path), "a") as f:
            f.write(f"// bench change {self.count}\n")
        if add:
            self.added.append(f"Sources/BenchAdded/Added{self.count}.swift")
            os.makedirs(os.path.join(self.repo, "Sources/BenchAdded"), exist_ok=True)
            with open(os.path.join(self.repo, self.added[-1]), "w") as f:
                f.write(f"// added by bench change {self.count}\nlet added{self.count} = {self.count}\n")
        if remove and self.added:
            os.remove(os.path.join(self.repo, self.added.pop(0)))
        stamp = f"@{COMMIT_EPOCH + 60 * self.count} +0000"
        env = dict(bench.ENV, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        subprocess.run(["git", "add", "-A", "Sources"], cwd=self.repo, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"bench change {self.count}"], cwd=self.repo, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        head = git_out(["rev-parse", "HEAD"], self.repo).strip()
        git(["checkout", "-q", "--detach", head], self.floor)
        return head


def git(args, cwd):
    subprocess.run(["git"] + args, cwd=cwd, env=bench.ENV, check=True, stdout=subprocess.DEVNULL)


def git_out(args, cwd):
    return subprocess.run(["git"] + args, cwd=cwd, env=bench.ENV, check=True, capture_output=True,
                          text=True).stdout


def with_fleet_appspec(repo):
    """The fleet bench's appspec and hook (bench.with_hook), committed unless HEAD has them."""
    with open(os.path.join(repo, "appspec.yml")) as f:
        if f.read() == bench.FLEET_APPSPEC:
            return
    bench.with_hook(repo)


# --- measuring one deployment ----------------------------------------------------------------


class Wire:
    """The machine's side of each host's veth link (its name is the host's namespace, the ns
    column of hosts.tsv): what this machine transmitted to the hosts."""

    def __init__(self, fleet):
        with open(os.path.join(fleet.directory, "hosts.tsv")) as tsv:
            rows = [line.rstrip("\n").split("\t") for line in tsv][1:]
        self.links = [row[2] for row in rows][:HOSTS]

    def sent(self):
        total = 0
        for link in self.links:
            with open(f"/sys/class/net/{link}/statistics/tx_bytes") as f:
                total += int(f.read())
        return total

    def measure(self, run):
        """(seconds, bytes sent to the hosts, run's result) of one `run()`."""
        before, start = self.sent(), time.perf_counter()
        result = run()
        seconds = time.perf_counter() - start
        return seconds, self.sent() - before, result


def tarmac_deploy(tarmac, repo):
    """`tarmac deploy fleet --json` of HEAD (bundled by the deploy itself); returns the per-host
    transfers the result reports (empty when this build does not report them)."""
    proc = subprocess.run([tarmac, "deploy", GROUP, "--json"], cwd=repo, env=bench.ENV, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: tarmac deploy failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}")
    return transfers(proc.stdout)


def transfers(json_lines):
    """{host: transfer} from every object with a `transfer` field in deploy --json's lines."""
    found = {}

    def visit(value):
        if isinstance(value, dict):
            if isinstance(value.get("transfer"), dict):
                found[value.get("name") or value.get("host") or f"#{len(found)}"] = value["transfer"]
            for inner in value.values():
                visit(inner)
        elif isinstance(value, list):
            for inner in value:
                visit(inner)

    for line in json_lines.splitlines():
        try:
            visit(json.loads(line))
        except ValueError:
            pass
    return found


def transfer_text(per_host):
    """`delta x8` or `full x7, delta x1 (fallback: why)`; says so when the build reports none."""
    if not per_host:
        return "not reported by this build (no `transfer` in deploy --json)"
    kinds = {}
    for transfer in per_host.values():
        kind = str(transfer.get("kind", "?"))
        kinds[kind] = kinds.get(kind, 0) + 1
    reasons = sorted({str(t["reason"]) for t in per_host.values() if t.get("kind") == "full" and t.get("reason")})
    payload = sum(int(t.get("bytes", 0)) for t in per_host.values())
    return ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items())) + (
        f" (full because: {'; '.join(reasons)})" if reasons else "") + (
        f"; bundle or delta files {size_text(payload)} of that in all" if payload else "")


def rsync_all(hosts, fleet, tree):
    """`rsync -a --delete` of `tree` (less its .git file) to RSYNC_DEST on every host at once, over
    the system's OpenSSH with the fleet's key and known_hosts; returns when the last one exits."""
    ssh = " ".join(shlex.quote(word) for word in bench.ssh_command(hosts[0], fleet.identity, fleet.known_hosts)[:-1])
    procs = [subprocess.Popen(["rsync", "-a", "--delete", "--exclude=/.git", "-e", ssh, tree + "/",
                               f"root@{host.address}:{RSYNC_DEST}/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for host in hosts]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"bench: rsync failed ({proc.returncode}): {err.decode(errors='replace')}")


def size_text(count):
    if count < 1 << 20:
        return f"{count / 1024:.0f} KiB"
    return f"{count / (1 << 20):.2f} MiB" if count < 1 << 30 else f"{count / (1 << 30):.2f} GiB"


def spread(values, text=size_text):
    ordered = sorted(values)
    return f"{text(statistics.median(ordered))} [{text(ordered[0])}-{text(ordered[-1])}]"


# --- the fleet sections ----------------------------------------------------------------------


class Pair:
    """tarmac deploy and the rsync floor of the same commits to the same hosts, with each run's
    seconds and bytes sent."""

    def __init__(self, tarmac, changes, fleet, wire):
        self.tarmac, self.changes, self.fleet, self.wire = tarmac, changes, fleet, wire
        self.seconds = {"tarmac": [], "rsync": []}
        self.sent = {"tarmac": [], "rsync": []}
        self.kinds = []

    def deploy_both(self, tarmac_first):
        """Deploys HEAD with both tools, in the order given; records a round."""
        for tool in (("tarmac", "rsync") if tarmac_first else ("rsync", "tarmac")):
            if tool == "tarmac":
                seconds, sent, kinds = self.wire.measure(lambda: tarmac_deploy(self.tarmac, self.changes.repo))
                self.kinds.append(kinds)
            else:
                hosts = self.fleet.hosts[:HOSTS]
                seconds, sent, _ = self.wire.measure(lambda: rsync_all(hosts, self.fleet, self.changes.floor))
            self.seconds[tool].append(seconds)
            self.sent[tool].append(sent)


def first_copy(pair):
    """Both tools' first copy of the tree to the hosts: not part of any ratio, shown for scale."""
    pair.deploy_both(tarmac_first=True)
    t, r = pair.seconds["tarmac"][0], pair.seconds["rsync"][0]
    print(f"{'delta fleet: first copy to %d hosts (one run)' % HOSTS:<44} tarmac {t:7.3f}s   rsync {r:7.3f}s   "
          f"sent tarmac {size_text(pair.sent['tarmac'][0])}, rsync {size_text(pair.sent['rsync'][0])}")


def one_file(pair, rounds):
    """`rounds` one-file commits, each deployed by tarmac and by rsync, alternating which goes first."""
    for i in range(rounds):
        pair.changes.commit()
        pair.deploy_both(tarmac_first=i % 2 == 0)
    mine, base = pair.seconds["tarmac"], pair.seconds["rsync"]
    label = f"one-file change to {HOSTS} hosts vs rsync"
    print(f"{label:<44} tarmac {statistics.median(mine):7.3f}s   rsync -a --delete {statistics.median(base):7.3f}s   "
          f"ratio {bench.ratio_text(mine, base)}   (target <= 1.0)")
    total = pair.sent["tarmac"]
    print(f"{'one-file change: bytes sent to %d hosts' % HOSTS:<44} tarmac {spread(total)}   "
          f"rsync {spread(pair.sent['rsync'])}   (target: tarmac <= 2 MiB)")
    texts = [transfer_text(kinds) for kinds in pair.kinds]
    shown = (f"every round: {texts[0]}" if len(set(texts)) == 1 else
             "; ".join(f"round {i + 1}: {text}" for i, text in enumerate(texts)))
    print(f"{'one-file change: transfer per host':<44} {shown}")


def sequence(pair, commits):
    """`commits` small commits one after another, each deployed by both tools (alternating who
    goes first): each changes one file, every 4th also adds one, every 4th (offset 2) also
    removes a file an earlier one added."""
    for i in range(commits):
        pair.changes.commit(add=i % 4 == 1, remove=i % 4 == 3)
        pair.deploy_both(tarmac_first=i % 2 == 0)
    mine, base = pair.seconds["tarmac"], pair.seconds["rsync"]
    t, r = sum(mine), sum(base)
    label = f"{commits} small commits to {HOSTS} hosts in a row"
    print(f"{label:<44} tarmac {t:7.1f}s   rsync -a --delete {r:7.1f}s   ratio of totals {t / r:5.2f}; "
          f"per commit {bench.ratio_text(mine, base)}")
    st, sr = sum(pair.sent["tarmac"]), sum(pair.sent["rsync"])
    print(f"{'%d small commits: bytes sent in total' % commits:<44} tarmac {size_text(st)}   rsync {size_text(sr)}   "
          f"ratio {st / max(sr, 1):5.2f}; per commit tarmac {spread(pair.sent['tarmac'])}, "
          f"rsync {spread(pair.sent['rsync'])}")
    kinds = {}
    for per_host in pair.kinds:
        for transfer in per_host.values():
            kinds[str(transfer.get("kind", "?"))] = kinds.get(str(transfer.get("kind", "?")), 0) + 1
    shown = ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())) or transfer_text({})
    print(f"{'%d small commits: transfers (host x commit)' % commits:<44} {shown}")


def delta_fleet_bench(tarmac, repo, work, rounds, commits, sections):
    """The `onefile` and `commits` sections on one fleet of HOSTS debian-N-bench hosts."""
    if os.getuid() != 0:
        print("onefile/commits: skipped (needs root for the fleet's network namespaces and mounts)")
        return
    missing = missing_roots()
    if missing:
        print(f"onefile/commits: skipped: the fleet systems {', '.join(missing)} (with rsync) are not built; "
              f"run `make bench-roots`")
        return
    fleet = bench.Fleet(os.path.join(work, "fleet-delta"), "d")
    try:
        fleet.start(HOSTS, "1g", systems=SYSTEMS)
        changes = Changes(repo, os.path.join(work, "delta-protobuf"))
        with open(os.path.join(changes.repo, "tarmac.yml"), "w") as f:
            f.write(f"application: bench-delta\ngroups:\n"
                    + bench.group_yaml(GROUP, fleet.hosts, fleet.identity, fleet.known_hosts))
        wire = Wire(fleet)
        first_copy(Pair(tarmac, changes, fleet, wire))
        if "onefile" in sections:
            one_file(Pair(tarmac, changes, fleet, wire), rounds)
        if "commits" in sections:
            started = time.perf_counter()
            sequence(Pair(tarmac, changes, fleet, wire), commits)
            print(f"{'%d small commits: the section took' % commits:<44} {time.perf_counter() - started:.0f}s "
                  f"(--commits N sets the count)")
    finally:
        if not fleet.stop():
            print(f"fleet: {fleet.directory} could not be torn down; see Fixtures/fleet/fleet.sh stop")


# --- delta-apply: one host ---------------------------------------------------------------------

DELTA_APPLY_SCRIPT = bench.OPT_TMPFS + r"""
quiet() { "$@" >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log" >&2; exit 1; }; }
quiet "$TARMAC" apply "$PREV" --deployment-root /opt/tarmac-root
apply_next() { t0=$(now); quiet "$TARMAC" apply "$NEXT" --deployment-root /opt/tarmac-root; t1=$(now); A=$((t1 - t0)); }
untar() { t0=$(now); tar -xzf "$FULL" -C /opt/tar-baseline; t1=$(now); B=$((t1 - t0)); }
if [ "$ORDER" = tar-first ]; then untar; apply_next; else apply_next; untar; fi
echo "$A $B"
"""


def has_bundle_base(tarmac):
    help_text = subprocess.run([tarmac, "bundle", "--help"], capture_output=True, text=True).stdout
    return "--base" in help_text


def delta_apply_bundles(tarmac, repo, work):
    """PREV's and NEXT's full bundles (NEXT: one file changed) and, when this build has `bundle
    --base`, NEXT's delta from PREV; returns {route: path} with "prev", "full" and maybe "delta"."""
    clone = os.path.join(work, "delta-apply-protobuf")
    subprocess.run(["git", "-c", "advice.detachedHead=false", "clone", "-q", repo, clone], check=True)
    bundles = {"prev": os.path.join(work, "delta-prev.tar.gz"), "full": os.path.join(work, "delta-next.tar.gz")}
    prev = git_out(["rev-parse", "HEAD"], clone).strip()
    subprocess.run([tarmac, "bundle", "--format", "tar.gz", "-o", bundles["prev"]], cwd=clone, check=True,
                   capture_output=True)
    path = sorted(line for line in git_out(["ls-files", "Sources"], clone).splitlines() if line.endswith(".swift"))[0]
    with open(os.path.join(clone, path), "a") as f:
        f.write("// bench: the one-file change\n")
    git(["commit", "-q", "-a", "-m", "bench: one file changed"], clone)
    subprocess.run([tarmac, "bundle", "--format", "tar.gz", "-o", bundles["full"]], cwd=clone, check=True,
                   capture_output=True)
    if has_bundle_base(tarmac):
        bundles["delta"] = os.path.join(work, "delta-next.delta.tar.gz")
        made = subprocess.run([tarmac, "bundle", "--format", "tar.gz", "--base", prev, "-o", bundles["delta"]],
                              cwd=clone, capture_output=True, text=True)
        if made.returncode != 0:
            sys.exit(f"bench: tarmac bundle --base failed ({made.returncode}):\n{made.stderr[-4000:]}")
    return bundles


DELTA_APPLY_LABELS = {"full": "apply: one-file change, full bundle over PREV",
                      "delta": "apply: one-file change, bundle --base PREV"}


def delta_apply_bench(tarmac, repo, work, rounds):
    """On one host (a private mount namespace, as the apply section): PREV installed by `tarmac
    apply` (not timed), then NEXT, one file changed, applied over it, once as the full bundle and
    once as the delta `tarmac bundle --base PREV`; each against `tar -xzf` of NEXT's full bundle
    into an empty directory in the same namespace, the two in alternating order."""
    if os.getuid() != 0:
        print("delta-apply: skipped (needs root for a private mount namespace)")
        return
    bundles = delta_apply_bundles(tarmac, repo, work)
    routes = [route for route in ("full", "delta") if route in bundles]
    seconds = {route: ([], []) for route in routes}
    for i in range(rounds):
        for route in (routes if i % 2 == 0 else routes[::-1]):
            env = dict(bench.ENV, WORK=os.path.join(work, f"delta-apply-{route}-{i}"), TARMAC=tarmac,
                       PREV=bundles["prev"], NEXT=bundles[route], FULL=bundles["full"],
                       ORDER="tar-first" if i % 2 else "apply-first")
            out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", DELTA_APPLY_SCRIPT],
                                 env=env, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"bench: delta-apply round ({route}) failed:\n{out.stderr[-4000:]}")
            applied, untarred = (int(x) / 1e9 for x in out.stdout.split())
            seconds[route][0].append(applied), seconds[route][1].append(untarred)
    for route in routes:
        mine, base = seconds[route]
        print(f"{DELTA_APPLY_LABELS[route]:<44} tarmac {statistics.median(mine):7.3f}s   tar -xzf (full) "
              f"{statistics.median(base):7.3f}s   ratio {bench.ratio_text(mine, base)}   (target <= 0.25)   "
              f"bundle {size_text(os.path.getsize(bundles[route]))}")
    if "delta" not in routes:
        print(f"{DELTA_APPLY_LABELS['delta']:<44} skipped: bundle --base not available in this build")
