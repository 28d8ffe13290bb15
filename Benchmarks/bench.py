#!/usr/bin/env python3
"""make bench: tarmac's bundle speed and memory against baselines measured in the same run.

Every ratio compares two commands run alternately on the same tree in this run, so the
machine's speed cancels out. Nothing here asserts a time; the numbers are for people.

Sections (--only NAME, repeatable; default all):
  bundle       tarmac bundle (tar.gz, tar.zst) vs git archive | pigz or zstd; peak memory on one big file
  apply        tarmac apply, first install and the same revision again, vs tar -xzf
  glob         apply with an adversarial permissions glob vs the pattern *
  fleet        tarmac deploy to 8 fleet hosts vs the ssh|tar floor and Ansible; SSH round
               trips per host; the tiny bundle to 8-64 hosts
  onefile      a one-file commit deployed to 8 hosts vs rsync -a --delete over OpenSSH:
               time ratio, bytes sent on the hosts' links, transfer kind per host
  commits      --commits N (default 100) small commits deployed one after another to 8
               hosts, tarmac vs rsync: total time and bytes sent
  delta-apply  one host: a one-file change applied over the installed revision, as the full
               bundle and as `bundle --base` (when this build has it), vs tar -xzf
The last three are in bench_delta.py.
"""
import argparse
import datetime
import json
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
# Workers of tarmac's gzip and zstd encoders (Sources/TarmacArchive/ArchiveFormat.swift, encoderThreads).
ENCODER_THREADS = 2
APPSPEC = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/bench\n"


def run(cmd, cwd, shell=False):
    """Runs one command; returns (seconds, peak RSS of its process tree in KiB, stderr). A failure stops the bench.

    The peak is the sum, over every process of the tree (the command, the git it runs, a
    shell pipeline's members), of each one's own VmHWM, sampled from /proc every 5 ms until
    the command exits: tarmac's git child counts, as the baseline's git does.
    """
    start = time.perf_counter()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=cwd, shell=shell, env=ENV, stdout=subprocess.DEVNULL, stderr=err_file)
    peaks = {}
    while proc.poll() is None:
        for pid in process_tree(proc.pid):
            peaks[pid] = max(peaks.get(pid, 0), vm_hwm(pid))
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"bench: {cmd} failed ({proc.returncode}):\n{err}")
    return elapsed, sum(peaks.values()), err


def vm_hwm(pid):
    """A process's own peak resident memory (VmHWM) in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid):
    """`pid` and its descendants now alive, from /proc/PID/task/*/children."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except OSError:
            pass
    return tree


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


def compare(label, repo, ours, theirs, rounds, target=None):
    """Alternates the two commands `rounds` times; prints medians, ours/theirs (the median of
    the per-round ratios, with their spread) and both process trees' peak memory."""
    mine, base, rss, base_rss = [], [], [], []
    for i in range(rounds):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            cmd = ours if which == 0 else theirs
            seconds, peak, _ = run(cmd, repo, shell=isinstance(cmd, str))
            (mine if which == 0 else base).append(seconds)
            (rss if which == 0 else base_rss).append(peak)
    m, b = statistics.median(mine), statistics.median(base)
    goal = f"   (target <= {target})" if target else ""
    print(f"{label:<44} tarmac {m:7.3f}s   baseline {b:7.3f}s   ratio {ratio_text(mine, base)}{goal}   "
          f"peak RSS (process tree) tarmac {max(rss) / 1024:6.1f} MiB, baseline {max(base_rss) / 1024:6.1f} MiB")
    return m, b, max(rss)


def ratio_text(mine, base):
    """Median of the per-round ratios, and their range: `1.23 [1.10-1.40]`."""
    ratios = sorted(a / b for a, b in zip(mine, base))
    return f"{statistics.median(ratios):5.2f} [{ratios[0]:.2f}-{ratios[-1]:.2f}]"


# The start of every apply script (run in `unshare -m`): a private tmpfs on /opt holding the
# destination, the deployment root /opt/tarmac-root and the baseline /opt/tar-baseline, so that
# tarmac and tar write to the same kind of filesystem; `now` in nanoseconds.
OPT_TMPFS = r"""
set -e
# A build that links the toolchain's runtime from /opt/swift (not `make release`) keeps it.
mkdir -p "$WORK/real-opt" && mount --bind /opt "$WORK/real-opt"
mount -t tmpfs bench-opt /opt
if [ -d "$WORK/real-opt/swift" ]; then mkdir /opt/swift && mount --bind "$WORK/real-opt/swift" /opt/swift; fi
mkdir -p /opt/tar-baseline /opt/tarmac-root
now() { date +%s%N; }
"""

APPLY_SCRIPT = OPT_TMPFS + r"""
t0=$(now); "$TARMAC" apply "$BUNDLE" --deployment-root /opt/tarmac-root >/dev/null 2>&1; t1=$(now)
"$TARMAC" apply "$BUNDLE" --deployment-root /opt/tarmac-root >/dev/null 2>&1; t2=$(now)
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
    print(f"{'apply (first) vs tar -xzf into empty dir':<44} tarmac {f:7.3f}s   baseline {t:7.3f}s   "
          f"ratio {ratio_text(first, baseline)}   (target <= 2.0)")
    print(f"{'apply (same revision again) vs tar -xzf':<44} tarmac {g:7.3f}s   baseline {t:7.3f}s   "
          f"ratio {ratio_text(again, baseline)}   (target <= 0.25)")


GLOB_APPLY_SCRIPT = OPT_TMPFS + r"""
t0=$(now); "$TARMAC" apply "$BUNDLE" --deployment-root /opt/tarmac-root >/dev/null; t1=$(now)
echo "$((t1 - t0))"
"""
# A pattern that makes a backtracking glob matcher take exponential time on long names of a's.
ADVERSARIAL_GLOB = "*a" * 30 + "*b"


def glob_bench(tarmac, work, rounds):
    """tarmac apply of 200 files with 243-character names whose permissions select them by an
    adversarial glob (30 stars, never matching), against the same apply with the pattern `*`.
    Both plan the same permissions over the same names, so the ratio shows what the glob costs;
    a matcher that backtracks would not finish."""
    if os.getuid() != 0:
        print("glob: skipped (needs root for a private mount namespace)")
        return
    bundles = {}
    for label, pattern in (("adversarial", ADVERSARIAL_GLOB), ("star", "*")):
        def populate(repo):
            os.makedirs(os.path.join(repo, "app"))
            for i in range(200):
                with open(os.path.join(repo, "app", "a" * 240 + f"{i:03d}"), "w") as f:
                    f.write(f"{i}\n")
        repo = make_repo(work, f"glob-{label}", populate)
        with open(os.path.join(repo, "appspec.yml"), "w") as f:
            f.write("version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /opt/bench-glob\n"
                    f"permissions:\n  - object: /opt/bench-glob\n    pattern: \"{pattern}\"\n    mode: 640\n"
                    "    type: [file]\n")
        git(["commit", "-q", "-a", "-m", "permissions by pattern"], repo)
        bundles[label] = os.path.join(work, f"glob-{label}.tar.gz")
        subprocess.run([tarmac, "bundle", "-o", bundles[label]], cwd=repo, check=True, capture_output=True)
    seconds = {label: [] for label in bundles}
    for i in range(rounds):
        for label in (("adversarial", "star") if i % 2 == 0 else ("star", "adversarial")):
            env = dict(ENV, WORK=os.path.join(work, f"glob-{label}-{i}"), TARMAC=tarmac, BUNDLE=bundles[label])
            try:
                out = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", GLOB_APPLY_SCRIPT],
                                     env=env, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                sys.exit(f"bench: apply with the {label} pattern took over 120 s: the glob matcher backtracks")
            if out.returncode != 0:
                sys.exit(f"bench: glob apply round failed:\n{out.stderr}")
            seconds[label].append(int(out.stdout.split()[0]) / 1e9)
    a, b = statistics.median(seconds["adversarial"]), statistics.median(seconds["star"])
    print(f"{'glob: apply, 30-star pattern vs pattern *':<44} tarmac {a:7.3f}s   baseline {b:7.3f}s   "
          f"ratio {a / b:5.2f}   (target <= 1.2)")


def bundle_bench(tarmac, repo, work, rounds, big_file_mib):
    """tarmac bundle (tar.gz, tar.zst) against git archive on the tree, and its memory on one big file."""
    out = os.path.join(work, "out")
    # tarmac's gzip and zstd encoders always run ENCODER_THREADS workers (ArchiveFormat.encoderThreads):
    # the baselines get the same number (pigz -p, zstd -T; not every core), so both sides compress alike.
    gz = compare(f"tar.gz:  tarmac bundle vs git archive | pigz -6 -p{ENCODER_THREADS}", repo,
                 [tarmac, "bundle", "--format", "tar.gz", "-o", out + ".a.tar.gz"],
                 f"git archive --format=tar HEAD | pigz -6 -n -p{ENCODER_THREADS} > {out}.b.tar.gz", rounds,
                 target=1.0)
    compare("tar.gz:  tarmac bundle vs git archive tar.gz (one thread)", repo,
            [tarmac, "bundle", "--format", "tar.gz", "-o", out + ".a.tar.gz"],
            ["git", "archive", "--format=tar.gz", "-o", out + ".b.tar.gz", "HEAD"], rounds)
    zst = compare(f"tar.zst: tarmac bundle vs git archive | zstd -3 -T{ENCODER_THREADS}", repo,
                  [tarmac, "bundle", "--format", "tar.zst", "-o", out + ".a.tar.zst"],
                  f"git archive --format=tar HEAD | zstd -3 -T{ENCODER_THREADS} -q -f -o {out}.b.tar.zst", rounds,
                  target=1.0)
    def big(repo):
        os.makedirs(repo)
        with open(os.path.join(repo, "big.bin"), "wb") as f:
            chunk = os.urandom(1 << 20)
            for i in range(big_file_mib):
                f.write(chunk[i % 256:] + chunk[:i % 256])
    big_repo = make_repo(work, "big-file", big)
    seconds, peak, _ = run([tarmac, "bundle", "--format", "tar.zst", "-o", out + ".big.tar.zst"], big_repo)
    _, base_peak, _ = run(f"git archive --format=tar HEAD | zstd -3 -T{ENCODER_THREADS} -q -f -o {out}.big.b.tar.zst",
                          big_repo, shell=True)
    print(f"{'memory: one %d MiB file, tar.zst' % big_file_mib:<44} tarmac {seconds:7.3f}s   "
          f"peak RSS of tarmac and its git {peak / 1024:6.1f} MiB; git archive | zstd {base_peak / 1024:.0f} MiB "
          f"(swift-protobuf tree: tarmac and its git {zst[2] / 1024:.1f} MiB)")


FLEET_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "Fixtures", "fleet", "fleet.sh")
FLEET_HOSTS = 8
SCALE_HOSTS = (8, 16, 32, 64)
ANSIBLE_CORE = "ansible-core~=2.19.0"  # the newest series whose controller still runs on Python 3.11
HOOK = "#!/bin/sh\n# The fleet bench's one hook: a marker file on each host.\ndate > /opt/bench-hook.marker\n"
FLEET_APPSPEC = ("version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/bench-tarmac\n"
                 "hooks:\n  AfterInstall:\n    - location: bench-hook.sh\n")


class Host:
    """One fleet host: the name tarmac's groups give it, its address, its root seen from here, its sshd log."""

    def __init__(self, name, address, root, log):
        self.name, self.address, self.root, self.log = name, address, root, log


class Fleet:
    """A fleet from Fixtures/fleet/fleet.sh in `directory`; its hosts are named `<label><number>`."""

    def __init__(self, directory, label):
        self.directory, self.label = directory, label
        self.identity = os.path.join(directory, "id_ed25519")
        self.known_hosts = os.path.join(directory, "known_hosts")
        self.hosts = []

    def start(self, count, disk_size, systems="debian-11-full,debian-12-full,debian-13-full"):
        """Starts `count` hosts, each with a disk (tmpfs) of `disk_size`, cycling through `systems`."""
        # Systems with python3: ansible needs it on the hosts, tarmac does not.
        start = subprocess.run(["bash", FLEET_SH, "start", self.directory, str(count), "--disk-size", disk_size,
                                "--system", systems],
                               capture_output=True, text=True)
        if start.returncode != 0:
            sys.exit(f"bench: fleet.sh start {count} failed:\n{start.stderr}")
        with open(os.path.join(self.directory, "hosts.tsv")) as tsv:
            rows = [line.rstrip("\n").split("\t") for line in tsv][1:]
        self.hosts = [Host(self.label + name.removeprefix("host"), address, root,
                           os.path.join(self.directory, "logs", name + "-sshd.log"))
                      for name, address, _, root, *_ in rows]

    def authorize(self, other):
        """Lets `other`'s client key log in to this fleet's hosts too (sshd reads the file per login)."""
        with open(other.identity + ".pub") as f:
            key = f.read()
        for host in self.hosts:
            with open(os.path.join(host.root, "etc/ssh/tarmac-fleet/authorized_keys"), "a") as f:
                f.write(key)

    def stop(self):
        """Tears the fleet down; True when nothing is left mounted."""
        return subprocess.run(["bash", FLEET_SH, "stop", self.directory], capture_output=True).returncode == 0


def group_yaml(name, hosts, identity, known_hosts):
    """One AllAtOnce group of tarmac.yml, indented to follow `groups:`."""
    lines = [f"  {name}:", "    hosts:"] + [f"      - {{ name: {h.name}, address: {h.address} }}" for h in hosts]
    return "\n".join(lines + ["    user: root", f"    identity: {identity}", f"    known_hosts: {known_hosts}",
                              "    config: AllAtOnce", ""])


def clean_hosts(hosts):
    """Removes what any earlier deployment left on the hosts, so every run is a first install."""
    for host in hosts:
        doomed = [os.path.join(host.root, "opt", n) for n in os.listdir(os.path.join(host.root, "opt"))
                  if n.startswith("bench-")]
        for path in doomed + [os.path.join(host.root, p) for p in ("var/lib/tarmac", "root/.ansible")]:
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)


def timed(cmd, cwd=None, env=ENV):
    """Seconds one command takes to exit 0; a failure stops the bench (fleets still go down)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    return time.perf_counter() - start


def ssh_command(host, identity, known_hosts):
    """The system OpenSSH client's command line for root on `host`, strict about its key."""
    return ["ssh", "-F", "/dev/null", "-i", identity, "-o", f"UserKnownHostsFile={known_hosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", f"root@{host.address}"]


def ssh_floor(hosts, fleet, bundle):
    """The floor: the bundle piped by `ssh host 'tar -xzf -'` to every host at once; seconds from
    the first start to the last exit."""
    start = time.perf_counter()
    procs = []
    for host in hosts:
        with open(bundle, "rb") as stdin:
            remote = "mkdir -p /opt/bench-floor && tar -xzf - -C /opt/bench-floor"
            procs.append(subprocess.Popen(ssh_command(host, fleet.identity, fleet.known_hosts) + [remote],
                                          stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"bench: ssh floor failed ({proc.returncode}): {err.decode(errors='replace')}")
    return time.perf_counter() - start


ANSIBLE_PLAYBOOK = """\
- hosts: fleet
  gather_facts: false
  tasks:
    - ansible.builtin.file: { path: /opt/bench-ansible, state: directory }
    - ansible.builtin.unarchive: { src: "%s", dest: /opt/bench-ansible }
    - ansible.builtin.command: sh /opt/bench-ansible/bench-hook.sh
"""


def ansible_setup(work, hosts, fleet, bundle):
    """Installs ansible-core from PyPI into a throwaway virtualenv and writes its inventory,
    configuration (forks = number of hosts, pipelining on) and playbook. Returns
    (command, environment), or None after saying why Ansible cannot run."""
    home = os.path.join(work, "ansible")
    venv = os.path.join(home, "venv")
    install = subprocess.run(f"{sys.executable} -m venv {venv} && {venv}/bin/pip install -q '{ANSIBLE_CORE}'",
                             shell=True, capture_output=True, text=True)
    if install.returncode != 0:
        print(f"ansible: skipped, {ANSIBLE_CORE} could not be installed:\n{(install.stdout + install.stderr)[-2000:]}")
        return None
    inventory = os.path.join(home, "inventory.ini")
    with open(inventory, "w") as f:
        f.write("[fleet]\n" + "".join(f"{h.name} ansible_host={h.address}\n" for h in hosts))
        f.write(f"[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file={fleet.identity}\n"
                f"ansible_ssh_common_args='-F /dev/null -o UserKnownHostsFile={fleet.known_hosts} "
                f"-o StrictHostKeyChecking=yes'\nansible_python_interpreter=/usr/bin/python3\n")
    config = os.path.join(home, "ansible.cfg")
    with open(config, "w") as f:
        f.write(f"[defaults]\ninventory = {inventory}\nforks = {len(hosts)}\n"
                f"[ssh_connection]\npipelining = True\n")
    playbook = os.path.join(home, "deploy.yml")
    with open(playbook, "w") as f:
        f.write(ANSIBLE_PLAYBOOK % bundle)
    env = dict(ENV, ANSIBLE_CONFIG=config, ANSIBLE_HOME=os.path.join(home, "home"))
    return [os.path.join(venv, "bin", "ansible-playbook"), playbook], env


def ansible_run(ansible, work, round_number):
    """One ansible-playbook run, with its own SSH control sockets; the ControlPersist masters it
    leaves are ended afterwards so the next round connects anew. Returns seconds."""
    command, env = ansible
    sockets = os.path.join(work, "ansible", f"cp-{round_number}")
    seconds = timed(command, env=dict(env, ANSIBLE_SSH_CONTROL_PATH_DIR=sockets))
    for socket in os.listdir(sockets):
        subprocess.run(["ssh", "-F", "/dev/null", "-o", f"ControlPath={os.path.join(sockets, socket)}",
                        "-O", "exit", "bench"], capture_output=True)
    return seconds


def ssh_use(host, run):
    """Runs `run()`; returns (its result, SSH connections, exec sessions) that `host`'s sshd logged meanwhile."""
    offset = os.path.getsize(host.log)
    result = run()
    with open(host.log, errors="replace") as log:
        log.seek(offset)
        text = log.read()
    return result, text.count("Accepted publickey for"), text.count("Starting session: command")


def deployed_events(tarmac, repo, launched):
    """Where one host's time went in the newest deployment, from `tarmac show ID --json`."""
    def show(*args):
        return json.loads(subprocess.run([tarmac, *args, "--json"], cwd=repo, check=True,
                                         capture_output=True, text=True).stdout)
    newest = show("history")[0]
    deployment = show("show", newest["id"])
    host = deployment["hosts"][0]
    stamp = lambda text: datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    start = stamp(deployment["started_at"])
    parts = [f"before the deployment starts {start - launched:.2f}s",
             f"connect+lock+probe {stamp(host['events'][0]['started_at']) - start:.2f}s"]
    parts += [f"{e['name']} {stamp(e['finished_at']) - stamp(e['started_at']):.2f}s"
              for e in host["events"] if stamp(e["finished_at"]) - stamp(e["started_at"]) >= 0.01]
    parts.append(f"after the last event {stamp(deployment['finished_at']) - stamp(host['events'][-1]['finished_at']):.2f}s")
    return f"{deployment['id']} on {host['name']}: " + ", ".join(parts)


def tiny_repo(work):
    """A revision of four files with the same appspec and hook as the swift-protobuf one."""
    def populate(repo):
        os.makedirs(os.path.join(repo, "app"))
        for name in ("a.txt", "b.txt"):
            with open(os.path.join(repo, "app", name), "w") as f:
                f.write(name + "\n")
    return with_hook(make_repo(work, "tiny", populate))


def with_hook(repo):
    """Commits the fleet appspec (everything to /opt/bench-tarmac, one AfterInstall hook) into `repo`."""
    with open(os.path.join(repo, "appspec.yml"), "w") as f:
        f.write(FLEET_APPSPEC)
    with open(os.path.join(repo, "bench-hook.sh"), "w") as f:
        f.write(HOOK)
    os.chmod(os.path.join(repo, "bench-hook.sh"), 0o755)
    git(["add", "-A"], repo)
    git(["commit", "-q", "-m", "fleet bench: appspec with one hook"], repo)
    return repo


def bundle_for_groups(tarmac, repo, groups, work):
    """Writes tarmac.yml (untracked: it names this run's fleet) and builds the revision's bundle once."""
    name = os.path.basename(repo)
    with open(os.path.join(repo, "tarmac.yml"), "w") as f:
        f.write(f"application: bench-{name}\ngroups:\n" + groups)
    bundle = os.path.join(work, f"fleet-{name}.tar.gz")
    subprocess.run([tarmac, "bundle", "--format", "tar.gz", "-o", bundle], cwd=repo, check=True, capture_output=True)
    return bundle


def fleet_compare(tarmac, repo, bundle, fleet, ansible, work, rounds):
    """tarmac deploy (AllAtOnce) of the swift-protobuf bundle to the 8 hosts against the OpenSSH
    floor and Ansible, alternating, each on freshly cleaned hosts. Returns tarmac's exec sessions per host."""
    hosts = fleet.hosts[:FLEET_HOSTS]
    runs = {"tarmac": lambda i: timed([tarmac, "deploy", "fleet", "--bundle", bundle], cwd=repo),
            "floor": lambda i: ssh_floor(hosts, fleet, bundle)}
    if ansible:
        runs["ansible"] = lambda i: ansible_run(ansible, work, i)
    seconds = {tool: [] for tool in runs}
    use = {}
    for i in range(rounds):
        order = list(runs)[i % len(runs):] + list(runs)[:i % len(runs)]
        for tool in order:
            clean_hosts(hosts)
            launched = time.time()
            took, connections, sessions = ssh_use(hosts[0], lambda: runs[tool](i))
            seconds[tool].append(took)
            use[tool] = (connections, sessions)
            if tool == "tarmac":
                events = deployed_events(tarmac, repo, launched)
    m = {tool: statistics.median(s) for tool, s in seconds.items()}
    label = f"fleet: swift-protobuf to {len(hosts)} hosts, AllAtOnce"
    print(f"{label:<44} tarmac {m['tarmac']:7.3f}s   ssh|tar floor {m['floor']:7.3f}s   "
          f"ratio {m['tarmac'] / m['floor']:5.2f}   (target <= 1.5)")
    if ansible:
        print(f"{'fleet: same against Ansible (forks=%d)' % len(hosts):<44} tarmac {m['tarmac']:7.3f}s   "
              f"ansible {m['ansible']:7.3f}s   ratio {m['tarmac'] / m['ansible']:5.2f}   (target < 1.0)")
    print(f"{'fleet: SSH use per host (connections/execs)':<44} "
          + "   ".join(f"{tool} {c}/{s}" for tool, (c, s) in use.items()))
    print(f"{'fleet: tarmac show, last deployment':<44} {events}")
    return use["tarmac"][1]


def round_trips(tarmac, tiny, bundle, hosts, files, protobuf_sessions):
    """tarmac's exec sessions on one host for one deployment of the four-file bundle, next to the
    swift-protobuf one's: they must be equal (round trips do not grow with the number of files)."""
    clean_hosts(hosts)
    _, _, sessions = ssh_use(hosts[0], lambda: timed([tarmac, "deploy", "fleet", "--bundle", bundle], cwd=tiny))
    verdict = "equal" if sessions == protobuf_sessions else "NOT equal"
    print(f"{'fleet: tarmac SSH execs per host per deploy':<44} swift-protobuf ({files} files) {protobuf_sessions}   "
          f"tiny (4 files) {sessions}   ({verdict}; target: equal)")


def scaling(tarmac, tiny, bundle, hosts, rounds):
    """The four-file bundle to 8, 16, 32 and 64 hosts, AllAtOnce: how deployment time grows with hosts."""
    for count in SCALE_HOSTS:
        seconds = []
        for _ in range(rounds):
            clean_hosts(hosts[:count])
            seconds.append(timed([tarmac, "deploy", f"scale-{count}", "--bundle", bundle], cwd=tiny))
        m = statistics.median(seconds)
        print(f"{'fleet: tiny bundle to %d hosts, AllAtOnce' % count:<44} tarmac {m:7.3f}s   "
              f"{m / count * 1000:6.1f} ms/host")


def fleet_bench(tarmac, repo, work, rounds):
    """tarmac deploy to hosts of fleet.sh on this machine: the swift-protobuf bundle against the
    OpenSSH floor and Ansible, its SSH round trips per host, and its time against the number of
    hosts. Two fleets (8 + 56 hosts, a fleet holds at most 63) make the 64; the second one
    authorises the first one's client key, so one group spans both."""
    if os.getuid() != 0:
        print("fleet: skipped (needs root for the fleet's network namespaces and mounts)")
        return
    near = Fleet(os.path.join(work, "fleet-a"), "a")
    far = Fleet(os.path.join(work, "fleet-b"), "b")
    try:
        near.start(FLEET_HOSTS, "1g")
        far.start(max(SCALE_HOSTS) - FLEET_HOSTS, "256m")
        far.authorize(near)
        everyone = near.hosts + far.hosts
        known_hosts = os.path.join(work, "known_hosts.all")
        with open(known_hosts, "w") as out:
            for fleet in (near, far):
                with open(fleet.known_hosts) as f:
                    out.write(f.read())
        groups = group_yaml("fleet", near.hosts, near.identity, near.known_hosts) + "".join(
            group_yaml(f"scale-{n}", everyone[:n], near.identity, known_hosts) for n in SCALE_HOSTS)
        files, _ = tree_size(with_hook(repo))
        bundle = bundle_for_groups(tarmac, repo, groups, work)
        tiny = tiny_repo(work)
        tiny_bundle = bundle_for_groups(tarmac, tiny, groups, work)
        ansible = ansible_setup(work, near.hosts, near, bundle)
        sessions = fleet_compare(tarmac, repo, bundle, near, ansible, work, rounds)
        round_trips(tarmac, tiny, tiny_bundle, near.hosts, files, sessions)
        scaling(tarmac, tiny, tiny_bundle, everyone, rounds)
    finally:
        for fleet in (near, far):
            if not fleet.stop():
                print(f"fleet: {fleet.directory} could not be torn down; see Fixtures/fleet/fleet.sh stop")


def remove_work(work):
    """Removes the bench's directory, unless a fleet is still mounted in it (then says so)."""
    with open("/proc/self/mountinfo") as f:
        mounted = [line.split()[4] for line in f if line.split()[4].startswith(work + "/")]
    if mounted:
        print(f"bench: {work} left in place: {mounted[0]} is still mounted")
    else:
        shutil.rmtree(work, ignore_errors=True)


SECTIONS = ("bundle", "apply", "glob", "fleet", "onefile", "commits", "delta-apply")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tarmac", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-file-mib", type=int, default=1024)
    parser.add_argument("--commits", type=int, default=100,
                        help="small commits the `commits` section deploys one after another (default 100)")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable); default: all of them")
    args = parser.parse_args()
    sections = args.only or SECTIONS
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
        if "bundle" in sections:
            bundle_bench(tarmac, repo, work, args.rounds, args.big_file_mib)
        if "apply" in sections:
            apply_bench(tarmac, repo, work, args.rounds)
        if "glob" in sections:
            glob_bench(tarmac, work, args.rounds)
        if "fleet" in sections:
            fleet_bench(tarmac, repo, work, args.rounds)
        # The sections of small changes (issue #13) live in bench_delta.py, which reads this module as `bench`.
        sys.modules.setdefault("bench", sys.modules[__name__])
        import bench_delta
        if "onefile" in sections or "commits" in sections:
            bench_delta.delta_fleet_bench(tarmac, repo, work, args.rounds, args.commits, sections)
        if "delta-apply" in sections:
            bench_delta.delta_apply_bench(tarmac, repo, work, args.rounds)
    finally:
        remove_work(work)


if __name__ == "__main__":
    main()
