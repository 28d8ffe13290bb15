#!/bin/sh
# Writes GNU ld linker scripts that make the release link the C libraries statically.
#
#   sh Fixtures/release/static-link.sh DIR [SYSROOT]
#
# DIR gets one `lib<name>.so` per library tarmac links (-larchive, -lzstd, -lssh2, -lsqlite3, -lz, -ldeflate), each
# a linker script `GROUP ( <the static archives> )`, and pkg-config files that put `-LDIR` first
# on the link line (the release build runs with PKG_CONFIG_PATH=DIR), so ld looks in DIR before
# the system directories and these scripts stand in for the shared libraries. From an archive ld takes only the objects something references: libarchive's
# formats tarmac never registers (xar with libxml2 and ICU, RAR, 7z, ISO, …) stay out.
#
# The lists are what the linker asks for, not pkg-config's --static lists: libxml2 (xar only)
# and libgpg-error (unused by the OpenSSL build of libssh2) are left out on purpose, so if a
# libarchive change ever made the link need them, it fails instead of pulling ICU in silently.
set -eu
dir=${1:?usage: static-link.sh DIR [SYSROOT]}
sysroot=${2:-}
multiarch=$(cc -print-multiarch 2>/dev/null || true)
[ -n "$multiarch" ] || multiarch=$(uname -m)-linux-gnu
lib=/usr/lib/$multiarch

script() { # NAME ARCHIVE...
    name=$1
    shift
    files=
    for archive in "$@"; do
        [ -f "$lib/$archive.a" ] || { echo "static-link.sh: missing $lib/$archive.a (make deps)" >&2; exit 1; }
        files="$files $lib/$archive.a"
    done
    printf '/* tarmac release: -l%s linked statically (Fixtures/release/static-link.sh) */\nGROUP (%s )\n' \
        "$name" "$files" >"$dir/lib$name.so.tmp"
    mv "$dir/lib$name.so.tmp" "$dir/lib$name.so"
}

mkdir -p "$dir"
script archive libarchive libnettle libacl liblzma libzstd liblz4 libbz2 libz
# TarmacArchive calls libzstd itself too (CArchive links -lzstd: ZstdFrameEncoder).
script zstd libzstd
script ssh2 libssh2 libssl libcrypto libz
script sqlite3 libsqlite3
script z libz
# TarmacArchive writes tar.gz and inflates bounded gzip files with libdeflate (CArchive links
# -ldeflate: GzipBlockEncoder, WholeGzip).
script deflate libdeflate

# SwiftPM reads the pkg-config files of CArchive and CSSH2 itself and puts their `-L/usr/lib/…`
# before every other directory, where ld would find the shared libraries first. The release
# build reads these copies instead (PKG_CONFIG_PATH=DIR): the same, but for `Libs: -LDIR`.
for package in libarchive libssh2; do
    sed -e "s|^Libs:.*-l\([a-z0-9]*\).*|Libs: -L$dir -l\1|" -e '/^Libs.private:/d' -e '/^Requires.private:/d' \
        "$lib/pkgconfig/$package.pc" >"$dir/$package.pc"
done

if [ -n "$sysroot" ]; then
    clang++ --sysroot="$sysroot" -std=c++17 -O2 -fPIC -c "$(dirname "$0")/glibc231-compat.cc" -o "$dir/glibc231-compat.o"
fi
