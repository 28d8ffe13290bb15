#!/bin/sh
# make demo: the sample application from commit to verified, signed bundle.
# Everything happens in a temporary directory; nothing outside it is touched.
set -eu
: "${TARMAC:?set TARMAC to the tarmac binary}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tarmac-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "a Git repository holding the docs-site sample (Fixtures/sample-app)"
cp -R "$here/sample-app" "$work/docs-site"
cd "$work/docs-site"
git init -q -b main
git add -A
GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' \
GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
    git commit -q -m "docs-site: first revision"
git log --oneline

step "tarmac validate"
"$TARMAC" validate

step "tarmac bundle (HEAD → .tarmac/artifacts/)"
bundle=$("$TARMAC" bundle | tail -n 1)
echo "bundle: $bundle"

step "reproducible: a fresh clone bundles to the same bytes"
git clone -q "$work/docs-site" "$work/clone"
again=$(cd "$work/clone" && "$TARMAC" bundle -o "$work/again.tar.gz" | tail -n 1)
sha256sum "$bundle" "$again"

step "tarmac inspect"
"$TARMAC" inspect "$bundle"

step "signed bundle, verified against the public key"
ssh-keygen -q -t ed25519 -N '' -C 'release-key' -f "$work/release-key"
signed=$("$TARMAC" bundle --format tar.zst --sign "$work/release-key" -o "$work/docs-site.tar.zst" | tail -n 1)
"$TARMAC" inspect "$signed" --trust-key "$work/release-key.pub"

step "a tampered bundle is refused (exit 2)"
cp "$bundle" "$work/tampered.tar.gz"
printf 'x' | dd of="$work/tampered.tar.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
if "$TARMAC" inspect "$work/tampered.tar.gz" >/dev/null; then
    echo "tampering went unnoticed" >&2; exit 1
else
    echo "inspect exited $? as it should"
fi

step "tarmac apply: install revision 1, then revision 2, on this machine"
echo "(in a private mount and network namespace: /opt, /run and /var/log are scratch copies, 127.0.0.1 is private)"
printf '<p>Revision 2: now with a changelog.</p>\n' >> site/index.html
git commit -q -am "docs-site: revision 2"
second=$("$TARMAC" bundle -o "$work/docs-site-r2.tar.gz" | tail -n 1)
cat > "$work/apply.sh" <<'SCRIPT'
set -e
mkdir -p "$WORK/real-opt"
mount --bind /opt "$WORK/real-opt"
mount -t tmpfs demo-opt /opt
if [ -d "$WORK/real-opt/swift" ]; then mkdir /opt/swift && mount --bind "$WORK/real-opt/swift" /opt/swift; fi
mount -t tmpfs demo-run /run
mount -t tmpfs demo-log /var/log
ip link set lo up
"$TARMAC" apply "$FIRST" --deployment-root "$WORK/root" --deployment-group demo
echo
"$TARMAC" apply "$SECOND" --deployment-root "$WORK/root" --deployment-group demo
echo
echo "installed in /opt/docs-site:"
(cd /opt/docs-site && find . -type f | sort | sed 's/^/  /')
python3 - <<'PY'
import urllib.request
body = urllib.request.urlopen("http://127.0.0.1:8080/").read().decode()
print("the server answers with revision 2" if "Revision 2" in body else "the server still answers with revision 1")
PY
kill "$(cat /run/docs-site.pid)"
SCRIPT
if [ "$(id -u)" -ne 0 ] || ! unshare -m -n true 2>/dev/null; then
    echo "skipped: applying in a private namespace needs root (make demo runs as root on a fresh machine)"
else
    env WORK="$work" TARMAC="$TARMAC" FIRST="$bundle" SECOND="$second" \
        unshare -m -n --propagation private sh "$work/apply.sh" || { echo "apply failed" >&2; exit 1; }
fi

step "an invalid appspec: every problem at once, no bundle written"
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
git commit -q -am "break the appspec"
if "$TARMAC" bundle -o "$work/broken.tar.gz"; then
    echo "an invalid revision was bundled" >&2; exit 1
fi
test ! -e "$work/broken.tar.gz" && echo "no bundle was written"
printf '\ndemo finished\n'
