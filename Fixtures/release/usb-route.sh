#!/bin/sh
# The USB route on a real minimal system: the release binary and a signed bundle are copied
# into a chroot of a Debian root (nothing else added), `tarmac --version` and `tarmac apply`
# run there, and what was installed is listed. Used by Tests/TarmacCLITests/ReleaseTests.swift.
#
#   unshare -m --propagation private sh Fixtures/release/usb-route.sh IMAGE WORK TARMAC BUNDLE KEY.pub
#
# IMAGE is never written: the chroot is an overlay of it (upper and work dirs under WORK), and
# every mount goes with the private mount namespace. Output: the lines of each step after a
# `== <step>` line; the exit status is apply's.
set -eu
image=$1 work=$2 tarmac=$3 bundle=$4 key=$5
mkdir -p "$work/upper" "$work/work" "$work/root"
mount -t overlay tarmac-usb -o "lowerdir=$image,upperdir=$work/upper,workdir=$work/work" "$work/root"
root=$work/root
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"

# What a person carries on the stick: the binary, the bundle, its signature, the public key.
mkdir "$root/media/usb"
cp "$tarmac" "$root/media/usb/tarmac"
cp "$bundle" "$root/media/usb/app.tar.gz"
cp "$bundle.sig" "$root/media/usb/app.tar.gz.sig"
cp "$key" "$root/media/usb/release.pub"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
echo "== system"
cat "$root/etc/debian_version"
echo "== version"
in_root /media/usb/tarmac --version
echo "== apply"
set +e
in_root /media/usb/tarmac apply /media/usb/app.tar.gz --trust-key /media/usb/release.pub 2>&1
status=$?
set -e
echo "== files"
in_root sh -c 'cd /srv/usb-app && find . -type f | sort | while read -r f; do stat -c "%n %U:%G %a" "$f"; done' || true
echo "== hooks"
for record in "$root"/tmp/usb-app-hook-*; do
    [ ! -f "$record" ] || echo "${record##*/usb-app-hook-} $(cat "$record")"
done
exit $status
