#!/usr/bin/env python3
"""make bench: tarmac's bundle speed and memory against baselines measured in the same run.

Every ratio compares two commands run alternately on the same tree in this run, so the
machine's speed cancels out. Nothing here asserts a time; the numbers are for people.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROTOBUF = "https://github.com/apple/swift-protobuf"
PROTOBUF_TAG = "1.39.0"
ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
           GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
APPSPEC = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/bench\n"


def run(cmd, cwd, shell=False):
    """Runs one command; returns (seconds, its own peak RSS in KiB, stderr). A failure stops the bench.

    The peak is the process's own VmHWM, sampled from /proc every 5 ms until it exits, so it
    counts tarmac alone and not the git it runs (whose memory grows with the largest blob).
    """
    start = time.perf_counter()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=cwd, shell=shell, env=ENV, stdout=subprocess.DEVNULL, stderr=err_file)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, vm_hwm(proc.pid))
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"bench: {cmd} failed ({proc.returncode}):\n{err}")
    return elapsed, peak, err


def vm_hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def git(args, cwd):
    subprocess.run(["git"] + args, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL)


def make_repo(root, name, populate):
    repo = os.path.join(root, name)
    populate(repo)
    with open(os.path.join(repo, "appspec.yml"), "w") as f:
        f.write(APPSPEC)
    if not os.path.isdir(os.path.join(repo, ".git")):
        git(["init", "-q", "-b", "main"], repo)
    git(["-c", "core.compression=0", "add", "-A"], repo)
    git(["commit", "-q", "-m", "bench"], repo)
    return repo


def tree_size(repo):
    out = subprocess.run(["git", "ls-tree", "-r", "-l", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout
    sizes = [int(line.split()[3]) for line in out.splitlines() if line.split()[3] != "-"]
    return len(sizes), sum(sizes)


def compare(label, repo, ours, theirs, rounds):
    """Alternates the two commands `rounds` times; prints medians and ours/theirs."""
    mine, base, rss = [], [], []
    for i in range(rounds):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            cmd = ours if which == 0 else theirs
            seconds, peak, _ = run(cmd, repo, shell=isinstance(cmd, str))
            (mine if which == 0 else base).append(seconds)
            if which == 0:
                rss.append(peak)
    m, b = statistics.median(mine), statistics.median(base)
    print(f"{label:<44} tarmac {m:7.3f}s   baseline {b:7.3f}s   ratio {m / b:5.2f}   tarmac peak RSS {max(rss) / 1024:6.1f} MiB")
    return m, b, max(rss)


APPLY_SCRIPT = r"""
set -e
mount -t tmpfs bench-opt /opt
mkdir -p /opt/tar-baseline "$WORK/root"
now() { date +%s%N; }
t0=$(now); "$TARMAC" apply "$BUNDLE" --deployment-root "$WORK/root" >/dev/null 2>&1; t1=$(now)
"$TARMAC" apply "$BUNDLE" --deployment-root "$WORK/root" >/dev/null 2>&1; t2=$(now)
tar -xzf "$BUNDLE" -C /opt/tar-baseline; t3=$(now)
echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2))"
"""


def apply_bench(tarmac, repo, work, rounds):
    """tarmac apply of the tree's bundle (first install, then a re-install over it) against
    `tar -xzf` of the same bundle into an empty directory, in a private mount namespace."""
    if os.getuid() != 0:
        print("apply: skipped (needs root for a private mount namespace)")
        return
    bundle = os.path.join(work, "apply.tar.gz")
    subprocess.run([tarmac, "bundle", "-o", bundle], cwd=repo, check=True, capture_output=True)
    first, again, baseline = [], [], []
    for i in range(rounds):
        env = dict(ENV, WORK=os.path.join(work, f"apply-{i}"), TARMAC=tarmac, BUNDLE=bundle)
        out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", APPLY_SCRIPT],
                             env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"bench: apply round failed:\n{out.stderr}")
        a, b, c = (int(x) / 1e9 for x in out.stdout.split())
        first.append(a), again.append(b), baseline.append(c)
    f, g, t = statistics.median(first), statistics.median(again), statistics.median(baseline)
    print(f"{'apply (first) vs tar -xzf into empty dir':<44} tarmac {f:7.3f}s   baseline {t:7.3f}s   ratio {f / t:5.2f}   (target <= 1.5)")
    print(f"{'apply (re-apply over it) vs tar -xzf':<44} tarmac {g:7.3f}s   baseline {t:7.3f}s   ratio {g / t:5.2f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tarmac", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-file-mib", type=int, default=1024)
    args = parser.parse_args()
    tarmac = os.path.abspath(args.tarmac)
    work = tempfile.mkdtemp(prefix="tarmac-bench.")
    try:
        def protobuf(repo):
            subprocess.run(["git", "clone", "-q", "-b", PROTOBUF_TAG, PROTOBUF, repo], check=True,
                           stderr=subprocess.DEVNULL)
        repo = make_repo(work, "swift-protobuf", protobuf)
        files, size = tree_size(repo)
        print(f"tree: swift-protobuf {PROTOBUF_TAG} + appspec.yml, {files} files, {size / 1e6:.1f} MB; "
              f"{args.rounds} alternating rounds, medians")
        out = os.path.join(work, "out")
        gz = compare("tar.gz:  tarmac bundle vs git archive tar.gz", repo,
                     [tarmac, "bundle", "--format", "tar.gz", "-o", out + ".a.tar.gz"],
                     ["git", "archive", "--format=tar.gz", "-o", out + ".b.tar.gz", "HEAD"], args.rounds)
        zst = compare("tar.zst: tarmac bundle vs git archive | zstd -3", repo,
                      [tarmac, "bundle", "--format", "tar.zst", "-o", out + ".a.tar.zst"],
                      f"git archive --format=tar HEAD | zstd -3 -q -f -o {out}.b.tar.zst", args.rounds)
        print(f"{'tar.zst speed-up over git archive tar.gz':<44} {gz[1] / zst[0]:5.2f}x   (target >= 3x)")
        print(f"{'tar.gz ratio against git archive tar.gz':<44} {gz[0] / gz[1]:5.2f}    (target <= 1.0)")

        apply_bench(tarmac, repo, work, args.rounds)

        def big(repo):
            os.makedirs(repo)
            with open(os.path.join(repo, "big.bin"), "wb") as f:
                chunk = os.urandom(1 << 20)
                for i in range(args.big_file_mib):
                    f.write(chunk[i % 256:] + chunk[:i % 256])
        big_repo = make_repo(work, "big-file", big)
        seconds, peak, _ = run([tarmac, "bundle", "--format", "tar.zst", "-o", out + ".big.tar.zst"], big_repo)
        _, git_peak, _ = run(["git", "archive", "--format=tar", "-o", "/dev/null", "HEAD"], big_repo)
        print(f"{'memory: one %d MiB file, tar.zst' % args.big_file_mib:<44} tarmac {seconds:7.3f}s   peak RSS {peak / 1024:6.1f} MiB "
              f"(swift-protobuf tree: {zst[2] / 1024:.1f} MiB; git archive alone on the big file: {git_peak / 1024:.0f} MiB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
