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
