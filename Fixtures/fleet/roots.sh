#!/usr/bin/env bash
# roots.sh — the real minimal systems the test fleet's hosts run (Fixtures/fleet/fleet.sh).
#
# Each system is a Debian root made by `debootstrap --variant=minbase` from
# http://deb.debian.org/debian with OpenSSH's server added, so a fleet host has what a
# minimal server has and no more (no python3, no sudo, no setfacl):
#
#   debian-11        bullseye, OpenSSH 8.4     debian-11-full   the same + sudo, acl, python3
#   debian-12        bookworm, OpenSSH 9.2     debian-12-full   the same + sudo, acl, python3
#   debian-13        trixie,   OpenSSH 10.0    debian-13-full   the same + sudo, acl, python3
#
# and, for `make bench` only (not in the default list, so tests never wait for them),
# debian-11-bench, debian-12-bench and debian-13-bench: the -full system + rsync, the
# baseline the bench compares tarmac with (rsync -a --delete over OpenSSH needs rsync at
# both ends). Their own systems, not a package added to -full: a root is built once and
# never updated, so a package added to an existing system would be missing from the roots
# already cached.
#
# The roots are built once and cached outside the repository, in ROOTS (TARMAC_ROOTS_DIR,
# default /var/cache/tarmac-test/roots), one directory per system named as above. A
# root is only ever read: fleet hosts stack their changes on it with an overlay.
#
# A system already in ROOTS is left alone. A missing one is built in ROOTS/.build-NAME.*
# and renamed into place once complete, so a root that exists is whole; a lock per
# system (ROOTS/.NAME.lock) lets parallel callers wait for one build instead of racing.
# apt's caches and the package lists are emptied, and the host keys openssh-server made
# removed (each fleet host gets its own).
set -euo pipefail

readonly PROGRAM=${0##*/}
readonly ROOTS=${TARMAC_ROOTS_DIR:-/var/cache/tarmac-test/roots}
readonly MIRROR=${TARMAC_ROOTS_MIRROR:-http://deb.debian.org/debian}
readonly DEFAULT_SYSTEMS='debian-11 debian-12 debian-13 debian-11-full debian-12-full debian-13-full'

usage() {
    cat <<EOF
usage: $PROGRAM [build] [SYSTEM…]     build the missing roots (default: all of them)
       $PROGRAM path SYSTEM           print a system's root (fails when it is not built)
       $PROGRAM list                  print the systems there are, one a line

SYSTEM is debian-11, debian-12 or debian-13, optionally with -full (the same system with
sudo, acl and python3 installed, as an administered server often has) or -bench (-full
and rsync: the bench's baseline; not built by default).
Roots live in $ROOTS (TARMAC_ROOTS_DIR); packages come from $MIRROR
(TARMAC_ROOTS_MIRROR). Building needs root and debootstrap.
EOF
}

die() {
    printf '%s: error: %s\n' "$PROGRAM" "$*" >&2
    exit 1
}

note() { printf '%s: %s\n' "$PROGRAM" "$*" >&2; }

# Prints the Debian suite of system $1; fails for a name that is not a system.
suite_of() {
    local base=${1%-full}
    case ${base%-bench} in
        debian-11) echo bullseye ;;
        debian-12) echo bookworm ;;
        debian-13) echo trixie ;;
        *) return 1 ;;
    esac
}

# Prints the packages debootstrap adds to minbase for system $1.
packages_of() {
    case $1 in
        *-full) echo openssh-server,sudo,acl,python3 ;;
        *-bench) echo openssh-server,sudo,acl,python3,rsync ;;
        *) echo openssh-server ;;
    esac
}

# True when system $1 is complete in ROOTS (a partial build never has the final name).
is_built() { [[ -x $ROOTS/$1/usr/sbin/sshd ]]; }

# Unmounts whatever a failed debootstrap left mounted below $1 (proc, sys), deepest first.
unmount_below() {
    local mounts
    mounts=$(awk -v dir="$1/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    [[ -z $mounts ]] || xargs -r -n 1 umount -l <<<"$mounts" || true
}

# Removes a build directory of system $1 that a crashed run left (we hold the lock).
remove_partial() {
    local partial
    for partial in "$ROOTS/.build-$1".*; do
        [[ -d $partial ]] || continue
        unmount_below "$partial"
        rm -rf --one-file-system "$partial"
    done
}

# Leaves out what the root does not need to be: caches, package lists, host keys, logs.
trim_root() {
    local root=$1
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
    rm -rf "$root"/var/cache/debconf/*-old "$root"/var/log/*.log "$root"/var/log/apt/*
    rm -f "$root"/etc/ssh/ssh_host_*
    mkdir -p "$root/var/lib/apt/lists/partial"
}

# Builds system $1 unless it is there; holds the system's lock while it looks and builds.
build_one() {
    local system=$1 suite partial started=$SECONDS
    suite=$(suite_of "$system") || die "no system '$system' (see '$PROGRAM list')"
    exec {lock}>"$ROOTS/.$system.lock"
    flock "$lock"
    if is_built "$system"; then
        exec {lock}>&-
        return 0
    fi
    remove_partial "$system"
    partial=$(mktemp -d "$ROOTS/.build-$system.XXXXXX")
    chmod 0755 "$partial"
    note "building $system ($suite, minbase + $(packages_of "$system")) in $partial"
    if ! debootstrap --variant=minbase --include="$(packages_of "$system")" \
        "$suite" "$partial" "$MIRROR" >"$partial.log" 2>&1; then
        tail -n 20 "$partial.log" >&2
        unmount_below "$partial"
        rm -rf --one-file-system "$partial"
        die "debootstrap of $system failed (log: $partial.log)"
    fi
    trim_root "$partial"
    printf '%s\n' "$system ($suite) from $MIRROR by $PROGRAM on $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        >"$partial/etc/tarmac-test-root"
    mv -T "$partial" "$ROOTS/$system"
    rm -f "$partial.log"
    exec {lock}>&-
    note "built $system in $((SECONDS - started))s: $ROOTS/$system"
}

cmd_build() {
    local systems=("$@") system pids=() failed=0 i
    ((${#systems[@]})) || read -ra systems <<<"$DEFAULT_SYSTEMS"
    for system in "${systems[@]}"; do suite_of "$system" >/dev/null || die "no system '$system' (see '$PROGRAM list')"; done
    local missing=()
    for system in "${systems[@]}"; do is_built "$system" || missing+=("$system"); done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "building ${missing[*]} needs root"
    command -v debootstrap >/dev/null || die "building ${missing[*]} needs debootstrap (apt-get install debootstrap)"
    mkdir -p "$ROOTS"
    # One download at a time per system, all systems at once: the mirror is the bottleneck.
    for system in "${missing[@]}"; do
        build_one "$system" &
        pids+=("$!")
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=1; done
    ((failed == 0)) || die "some roots were not built (see above)"
}

main() {
    case ${1:-build} in
        help | -h | --help) usage ;;
        list) tr ' ' '\n' <<<"$DEFAULT_SYSTEMS" ;;
        path)
            [[ -n ${2:-} ]] || die "path needs a SYSTEM"
            suite_of "$2" >/dev/null || die "no system '$2' (see '$PROGRAM list')"
            is_built "$2" || die "$2 is not built in $ROOTS (run '$PROGRAM build $2', or 'make roots')"
            printf '%s\n' "$ROOTS/$2"
            ;;
        build) shift || true; cmd_build "$@" ;;
        *) cmd_build "$@" ;;
    esac
}

main "$@"
