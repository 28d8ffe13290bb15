#!/bin/sh
# Makes the Debian 11 sysroot the release binary is linked against (glibc 2.31, libstdc++ of
# GCC 10), so that it runs on Debian 11, 12 and 13: glibc and libstdc++ are backward compatible,
# and a binary linked against the oldest target only asks for symbol versions all of them have.
#
#   sh Fixtures/release/sysroot.sh DIR      (once; a no-op when DIR is complete)
#
# debootstrap from deb.debian.org (about a minute), minbase plus the C and C++ development files.
# Symlinks in it that point to absolute paths are made relative, or the linker would follow
# them to this machine's own /lib.
set -eu
dir=${1:?usage: sysroot.sh DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ ! -f "$dir/.tarmac-sysroot-complete" ] || exit 0
mkdir -p "$(dirname "$dir")"
# One debootstrap at a time when several checkouts build at once; the others then find it done.
exec 9>"$dir.lock"
flock 9
[ ! -f "$dir/.tarmac-sysroot-complete" ] || exit 0
rm -rf "$dir.tmp"
echo "sysroot.sh: debootstrap bullseye into $dir (glibc 2.31)"
debootstrap --variant=minbase --include=libc6-dev,libstdc++-10-dev bullseye "$dir.tmp" "$mirror" >"$dir.log" 2>&1 ||
    { tail -n 20 "$dir.log" >&2; exit 1; }
find "$dir.tmp" -xdev -type l -lname '/*' | while read -r link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir.tmp$target")" "$link"
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
touch "$dir/.tarmac-sysroot-complete"
