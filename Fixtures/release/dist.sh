#!/bin/sh
# Assembles the release tarball from a built binary (run by `make dist`).
#
#   sh Fixtures/release/dist.sh BINARY GENERATE_MANUAL STAGE_DIR OUT_DIR
#
# BINARY is the release build (.build/release/tarmac), GENERATE_MANUAL swift-argument-parser's
# generate-manual tool. STAGE_DIR/tarmac-<version>-linux-<arch>/ is the tree `make install`
# copies; OUT_DIR gets tarmac-<version>-linux-<arch>.tar.gz and SHA256SUMS, and with SIGN=<key>
# in the environment the tarball's SSHSIG signature (<tarball>.sig, namespace tarmac).
#
# The bytes depend only on the commit: times are the commit time (SOURCE_DATE_EPOCH if set),
# owners 0:0, modes fixed, members sorted, gzip without name or time.
set -eu
binary=$1 manual=$2 stage=$3 out=$4
here=$(dirname "$0")

version=$("$binary" --version)
name=tarmac-$version-linux-$(uname -m)
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
day=$(date -u -d "@$epoch" +%Y-%m-%d)
top=$stage/$name

rm -rf "$stage"
mkdir -p "$top/bin" "$top/share/man/man1" "$top/share/bash-completion/completions" \
    "$top/share/zsh/site-functions" "$top/share/fish/vendor_completions.d" "$out"
strip --strip-all -o "$top/bin/tarmac" "$binary"
sh "$here/check-binary.sh" "$top/bin/tarmac"

# Everything below is generated from the commands' own definitions, by the binary itself.
LC_ALL=C LANG=C "$manual" "$top/bin/tarmac" --multi-page --date "$day" --output-directory "$top/share/man/man1"
"$top/bin/tarmac" --generate-completion-script bash >"$top/share/bash-completion/completions/tarmac"
"$top/bin/tarmac" --generate-completion-script zsh >"$top/share/zsh/site-functions/_tarmac"
"$top/bin/tarmac" --generate-completion-script fish >"$top/share/fish/vendor_completions.d/tarmac.fish"
cp README.md "$top/README.md"
sed "s/@NAME@/$name/g" "$here/INSTALL.md" >"$top/INSTALL.md"

find "$top" -type d -exec chmod 0755 {} +
find "$top" -type f -exec chmod 0644 {} +
chmod 0755 "$top/bin/tarmac"
find "$top" -exec touch -h -d "@$epoch" {} +

tarball=$name.tar.gz
tar -C "$stage" --format=ustar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
    -cf - "$name" | gzip -9 -n >"$out/$tarball.tmp"
mv "$out/$tarball.tmp" "$out/$tarball"
(cd "$out" && sha256sum "$tarball" >SHA256SUMS)
rm -f "$out/$tarball.sig"
if [ -n "${SIGN:-}" ]; then
    ssh-keygen -q -Y sign -f "$SIGN" -n tarmac "$out/$tarball"
fi

echo "dist: $out/$tarball ($(stat -c %s "$out/$tarball") bytes)"
echo "dist: bin/tarmac $(stat -c %s "$top/bin/tarmac") bytes stripped," \
    "needs GLIBC_$(sh "$here/check-binary.sh" --glibc "$top/bin/tarmac") at most"
echo "dist: bin/tarmac shared libraries:" $(readelf -d "$top/bin/tarmac" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ ! -f "$out/$tarball.sig" ] || echo "dist: signed $out/$tarball.sig (namespace tarmac)"
