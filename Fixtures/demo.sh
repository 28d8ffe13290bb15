#!/bin/sh
# make demo: the docs-site sample from a commit to four SSH hosts, twice, then to a host with no
# network by hand. The hosts are a fleet on this machine (Fixtures/fleet/fleet.sh: network
# namespaces, each a private overlay of a Debian 11, 12 or 13 root running its own sshd — the
# -full systems, with python3 for the sample's web server); everything else lives in a
# temporary directory. The fleet and the directory are removed at the end, also on failure.
set -eu
: "${TARMAC:?set TARMAC to the tarmac binary}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tarmac-demo.XXXXXX)
fleet="$work/fleet"
cleanup() {
    if [ -f "$fleet/fleet.env" ]; then bash "$here/fleet/fleet.sh" stop "$fleet" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
commit() {
    GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo \
        GIT_COMMITTER_EMAIL=demo@example.com git commit -q "$@"
}

step "a Git repository holding the docs-site sample (Fixtures/sample-app)"
cp -R "$here/sample-app" "$work/docs-site"
cd "$work/docs-site"
git init -q -b main
git add -A
GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' commit -m "docs-site: first revision"
git log --oneline

step "tarmac validate, tarmac bundle, and the same bytes from a fresh clone"
"$TARMAC" validate
bundle=$("$TARMAC" bundle | tail -n 1)
git clone -q "$work/docs-site" "$work/clone"
again=$(cd "$work/clone" && "$TARMAC" bundle -o "$work/again.tar.gz" | tail -n 1)
sha256sum "$bundle" "$again"

if [ "$(id -u)" -ne 0 ] || ! unshare -m -n true 2>/dev/null; then
    printf '\nThe fleet and apply parts need root (network namespaces and mounts); make demo runs as root on a fresh machine.\n'
    exit 0
fi

step "four SSH hosts on this machine"
# Hosts with python3, so the sample app's hooks really serve and validate the site.
bash "$here/fleet/fleet.sh" start "$fleet" 4 --system debian-11-full,debian-12-full,debian-13-full
{
    printf 'application: docs-site\ngroups:\n'
    grep -v '^ *#' "$fleet/tarmac-group.yml" | sed 's/config: AllAtOnce/config: HalfAtATime/'
} > tarmac.yml
cat tarmac.yml
commit -am "deploy to the demo fleet"

step "tarmac hosts check fleet"
"$TARMAC" hosts check fleet

step "tarmac deploy fleet — HalfAtATime: two hosts at a time, two stay in service"
"$TARMAC" deploy fleet

step "a change to one page: tarmac plan shows what the next deployment does"
printf '<p>Revision 2: now with a changelog.</p>\n' >> site/index.html
commit -am "docs-site: revision 2"
"$TARMAC" plan fleet 2>&1 | sed -n '1,12p'

step "tarmac deploy fleet — ApplicationStop runs revision 1's stop script on each host"
"$TARMAC" deploy fleet

step "tarmac history"
"$TARMAC" history

step "the site, as host1 serves it"
address=$(awk '$1 == "host1" { print $2 }' "$fleet/hosts.tsv")
python3 - "$address" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen(f"http://{sys.argv[1]}:8080/", timeout=5).read().decode()
print(body.strip())
print("\n-> host1 serves revision 2" if "Revision 2" in body else "\n-> host1 still serves revision 1")
PY

step "by hand: a signed bundle carried to a host with no network, installed with tarmac apply"
echo "(in a private mount and network namespace: /opt, /run and /var/log are scratch copies)"
ssh-keygen -q -t ed25519 -N '' -C 'release-key' -f "$work/release-key"
signed=$("$TARMAC" bundle --sign "$work/release-key" -o "$work/docs-site.tar.gz" | tail -n 1)
"$TARMAC" inspect "$signed" --trust-key "$work/release-key.pub" | tail -n 3
cat > "$work/apply.sh" <<'SCRIPT'
set -e
mkdir -p "$WORK/real-opt"
mount --bind /opt "$WORK/real-opt"
mount -t tmpfs demo-opt /opt
if [ -d "$WORK/real-opt/swift" ]; then mkdir /opt/swift && mount --bind "$WORK/real-opt/swift" /opt/swift; fi
mount -t tmpfs demo-run /run
mount -t tmpfs demo-log /var/log
ip link set lo up
"$TARMAC" apply "$BUNDLE" --trust-key "$KEY" --deployment-root "$WORK/root" --deployment-group usb
echo
echo "installed in /opt/docs-site:"
(cd /opt/docs-site && find . -type f | sort | sed 's/^/  /')
kill "$(cat /run/docs-site.pid)"
SCRIPT
env WORK="$work" TARMAC="$TARMAC" BUNDLE="$signed" KEY="$work/release-key.pub" \
    unshare -m -n --propagation private sh "$work/apply.sh" || { echo "apply failed" >&2; exit 1; }

step "a tampered bundle is refused before anything is written (exit 2)"
cp "$signed" "$work/tampered.tar.gz"
printf 'x' | dd of="$work/tampered.tar.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
if "$TARMAC" inspect "$work/tampered.tar.gz" >/dev/null 2>&1; then
    echo "tampering went unnoticed" >&2; exit 1
else
    echo "inspect exited $? as it should"
fi

step "an invalid appspec: every problem at once, nothing bundled or deployed"
cat > appspec.yml <<'YAML'
version: 0.0
os: linux
files:
  - source: site
    destination: opt/docs-site
permissions:
  - object: /opt/docs-site
    mode: 0955
hooks:
  ApplicationStart:
    - location: scripts/missing.sh
      timeout: -5
YAML
commit -am "break the appspec"
if "$TARMAC" deploy fleet; then
    echo "an invalid revision was deployed" >&2; exit 1
fi

step "a pipeline in tarmac.yml, and the post-commit hook that runs it (tarmac hook install)"
git show HEAD~1:appspec.yml > appspec.yml
cat >> tarmac.yml <<'YAML'
pipeline:
  trigger: { branches: [main] }     # commits on other branches are recorded as Skipped
  mode: SUPERSEDED                  # a burst of commits deploys the newest; none is cut short
  build:                            # runs in a clean export of the commit, never in this working tree
    commands: ['printf "built from %s\n" "$TARMAC_COMMIT" > site/build.txt']
  stages:
    - deploy: fleet
YAML
sed -n '/^pipeline:/,$p' tarmac.yml
"$TARMAC" hook install

step "a commit that deploys itself: git commit returns at once, the pipeline runs in the background"
printf '<p>Revision 3: deployed by its own commit.</p>\n' >> site/index.html
commit -am "docs-site: revision 3, deployed by the post-commit hook"
execution=$("$TARMAC" history --json | python3 -c 'import json,sys; print(next(i["id"] for i in json.load(sys.stdin) if i["kind"] == "execution"))')
echo "the hook started $execution; waiting for it (tarmac show $execution)"
for _ in $(seq 1 120); do
    state=$("$TARMAC" show "$execution" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$state" = InProgress ] || break
    sleep 0.5
done
"$TARMAC" logs "$execution" | grep -v '^host[0-9] ' || true
echo
"$TARMAC" show "$execution"
[ "$state" = Succeeded ] || { echo "the execution ended $state" >&2; exit 1; }

step "tarmac history: what runs where now, deployments and executions"
"$TARMAC" history

step "the site, as host1 serves it now"
python3 - "$address" <<'PY'
import sys, urllib.request
page = urllib.request.urlopen(f"http://{sys.argv[1]}:8080/", timeout=5).read().decode()
built = urllib.request.urlopen(f"http://{sys.argv[1]}:8080/build.txt", timeout=5).read().decode()
print(built.strip())
print("-> host1 serves revision 3, built by the pipeline" if "Revision 3" in page else "-> host1 does not serve revision 3")
PY
printf '\ndemo finished; the fleet is being taken down\n'
