#!/bin/sh
# Checks that a release binary needs nothing but glibc (and libstdc++/libgcc_s) at run time.
#
#   sh Fixtures/release/check-binary.sh BINARY           fails naming any other shared library
#   sh Fixtures/release/check-binary.sh --glibc BINARY   prints the highest GLIBC_ version it needs
set -eu
if [ "$1" = --glibc ]; then
    objdump -T "$2" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
    exit 0
fi
binary=$1
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
status=0
for library in $needed; do
    case $library in
        libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libutil.so.* | ld-linux*.so.* | \
            libstdc++.so.* | libgcc_s.so.*) ;;
        *)
            echo "check-binary.sh: $binary needs $library; only glibc, libstdc++ and libgcc_s may be shared" >&2
            status=1
            ;;
    esac
done
exit $status
