#!/usr/bin/env bash
# fleet.sh — a fleet of real OpenSSH hosts on this machine, for tarmac's tests and demo.
#
# A host is a network namespace with its own veth link, running a real minimal system:
# a private copy-on-write overlay whose lower layer is a cached Debian root (roots.sh:
# debootstrap minbase + openssh-server of Debian 11, 12 or 13), with that root's own
# sshd (OpenSSH 8.4, 9.2 or 10.0) chrooted into it. A host has what a minimal server
# has: no python3, no sudo, no setfacl (the *-full systems add those three). Everything a
# fleet makes is recorded in its directory, so `stop` can undo it — also after a crash.
#
# Layout of DIR (a fleet's directory):
#   fleet.env                 ID, COUNT, NET, DISK_SIZE, SYSTEMS, BASTION (read by every other subcommand)
#   id_ed25519{,.pub}         the client key, made per run; authorised for root on every host
#   known_hosts               every host's ed25519 and ecdsa keys, one plain `address` line each
#   hosts.tsv                 name address ns root upper pidfile system (a header, then one per host)
#   bastion.tsv               with --bastion: the same columns for the bastion (host number 0)
#   tarmac-group.yml          a `groups:` entry named `fleet`, indented to paste after `groups:`
#                             (with --bastion: proxy_jump through the bastion)
#   logs/hostN-sshd.log       sshd's own log (LogLevel VERBOSE); kept after stop
#   run/hostN.sshd.pid        sshd's process id (outside the host's disk, so `fill` cannot break it)
#   hosts/hostN/              mount point of the host's tmpfs "disk" (private propagation), holding:
#     upper/ work/            the overlay's upper and work directories (upper = what the host changed;
#                             the lower layer is the host's system in ROOTS, shared and never written)
#     root/                   the merged root sshd is chrooted into, with proc, a minimal dev,
#                             devpts, and fresh tmpfs on /run and /tmp
#     uts                     the host's persistent UTS namespace (its own hostname)
#     ballast                 what `fill` writes to use up the disk
#
# Addresses: fleet K (1–250) owns ${NET}.K.0/24 (NET defaults to 10.201). Host i (1–63)
# gets the /30 at ${NET}.K.(4i): the machine's side of the veth is .4i+1, the host is
# .4i+2. Network namespace and machine-side veth are both named tm<K>h<i>. The rest of
# the /24 is routed into a "void" device (an ifb, which drops what it is given) at a
# low priority, so while a host's link is cut its packets vanish — connections stall
# like on a pulled cable — instead of leaking out of the default route.
#
# Systems: host i runs the ((i-1) mod n)th of the n systems given with --system (default
# `mix`: debian-11, debian-12, debian-13 in turn), from ROOTS (TARMAC_ROOTS_DIR, default
# /var/cache/tarmac-test/roots; `make roots` or roots.sh builds them, start does not).
#
# With --bastion, the hosts are reachable only through a bastion: host number 0, whose
# namespace tm<K>h0 has the usual link to this machine (.1/.2) and, for each host i, the
# host's side of its /30 (.4i+1) — inside the bastion's namespace, not this machine's. This
# machine routes the hosts' addresses into the void (a direct connection times out), and the
# bastion does not forward packets: only connections the bastion's sshd makes reach them.
#
# Fleet ids are claimed atomically with mkdir under /run/tarmac-fleet/ (tmpfs: claims go
# away on reboot, like namespaces), so fleets started at the same time never share one.
set -euo pipefail

readonly PROGRAM=${0##*/}
NET=${TARMAC_FLEET_NET:-10.201} # fleet.env overrides this for a running fleet
readonly CLAIMS=${TARMAC_FLEET_CLAIMS:-/run/tarmac-fleet}
readonly SSHD=/usr/sbin/sshd # inside each host: its system's own
readonly ROOTS=${TARMAC_ROOTS_DIR:-/var/cache/tarmac-test/roots}
readonly MIX=debian-11,debian-12,debian-13
readonly SSHD_CONFIG=/etc/ssh/tarmac-fleet/sshd_config # inside each host
# Host keys where a Debian host keeps them (a receipt is signed with /etc/ssh/ssh_host_ed25519_key).
readonly HOST_KEYS=/etc/ssh
readonly MAX_HOSTS=63
readonly READY_SECONDS=10

usage() {
    cat <<EOF
usage: $PROGRAM COMMAND DIR [ARGS]

  start DIR N [--id K] [--disk-size SIZE] [--system S[,S…]] [--bastion]
                         start N hosts (1–$MAX_HOSTS) and describe them in DIR; K (1–250) is
                         picked when not given; SIZE is the tmpfs holding each host's
                         changes (default 256m); host i runs the i-th system of the list,
                         cycling (debian-11|12|13, each also as …-full or
                         …-bench, which is -full + rsync; default
                         mix = $MIX); --bastion puts the hosts behind a bastion host
                         (reachable only through it, e.g. with ProxyJump)
  stop DIR               tear everything down; safe to repeat, and on a crashed run's DIR
  status DIR             one line per host: name, address, system, link, sshd, disk use
  clean [--all]          stop the fleets whose owner process is gone (left by crashed
                         test runs); --all stops every fleet on this machine

  cut DIR HOST           take the host's link down (connections stall, nothing is reset)
  mend DIR HOST          bring it back up
  stop-sshd DIR HOST     stop the host's sshd (new connections are refused)
  start-sshd DIR HOST    start it again and wait until it answers
  fill DIR HOST          fill the host's disk: writes fail with "No space left on device"
  unfill DIR HOST        free it again
  exec DIR HOST -- CMD…  run CMD inside the host (its network, hostname and root)
  root DIR HOST          print the host's merged root (what the host sees as /)
  upper DIR HOST         print the overlay's upper dir (only what the host changed)

HOST is a name (host2) or a number (2), or 'bastion' in a fleet started with --bastion
(cut, mend, stop-sshd and start-sshd act on this machine's links: not on hosts behind one).
Needs root, iproute2, util-linux, ssh-keygen and the systems' roots (roots.sh). Environment:
TARMAC_FLEET_NET (first two octets, default 10.201); TARMAC_ROOTS_DIR (the roots, default
/var/cache/tarmac-test/roots); TARMAC_FLEET_OWNER (at start: the pid the fleet belongs to,
for clean; tests pass their own).
EOF
}

die() {
    printf '%s: error: %s\n' "$PROGRAM" "$*" >&2
    exit 1
}

note() { printf '%s: %s\n' "$PROGRAM" "$*" >&2; }

# True when $1 is a whole number from $2 to $3.
in_range() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= $2 && $1 <= $3)); }

# --- naming -------------------------------------------------------------------------

ns_name() { printf 'tm%sh%s' "$ID" "$1"; }
host_address() { printf '%s.%s.%s' "$NET" "$ID" $((4 * $1 + 1)); }
guest_address() { printf '%s.%s.%s' "$NET" "$ID" $((4 * $1 + 2)); }
void_link() { printf 'tm%svoid' "$ID"; }
subnet() { printf '%s.%s.0/24' "$NET" "$1"; }
state_dir() { printf '%s/hosts/host%s' "$DIR" "$1"; }
root_dir() { printf '%s/root' "$(state_dir "$1")"; }
pid_file() { printf '%s/run/host%s.sshd.pid' "$DIR" "$1"; }
log_file() { printf '%s/logs/host%s-sshd.log' "$DIR" "$1"; }

# The system host $1 runs: the ((i-1) mod n)th of the comma-separated SYSTEMS; a bastion
# (host 0) runs the first.
system_of() {
    local systems
    IFS=, read -ra systems <<<"$SYSTEMS"
    if (($1 == 0)); then printf '%s' "${systems[0]}"; return; fi
    printf '%s' "${systems[($1 - 1) % ${#systems[@]}]}"
}

# Sets DIR to the absolute form of $1 (which must exist unless $2 is "create").
set_dir() {
    [[ -n ${1:-} ]] || die "missing DIR (see '$PROGRAM help')"
    [[ $1 != *[[:space:]]* ]] || die "DIR must not contain white space: '$1'"
    [[ ${2:-} != create ]] || mkdir -p "$1"
    [[ -d $1 ]] || die "no such fleet directory: $1"
    DIR=$(cd "$1" && pwd -P)
}

# Reads DIR/fleet.env (ID, COUNT, DISK_SIZE); fails unless a fleet was started there.
load_fleet() {
    [[ -f $DIR/fleet.env ]] || die "$DIR holds no fleet (no fleet.env)"
    # shellcheck source=/dev/null
    source "$DIR/fleet.env"
    SYSTEMS=${SYSTEMS:-$MIX} # fleets started before systems were recorded
}

# Prints the number of HOST ("host3" or "3") after checking it belongs to the fleet.
host_index() {
    if [[ $1 == bastion && ${BASTION:-0} == 1 ]]; then printf 0; return; fi
    local index=${1#host}
    in_range "$index" 1 "$COUNT" || die "no host '$1' in the fleet in $DIR (it has host1…host$COUNT)"
    printf '%s' "$index"
}

# --- fleet ids ------------------------------------------------------------------------

# True when something on this machine already routes into fleet K's /24.
subnet_in_use() {
    local net
    net=$(subnet "$1")
    [[ -n $(ip -4 route show root "$net") ]] && return 0
    # Routes that contain the /24 (other than the default route) clash as well.
    ip -4 route show match "$net" | grep -vq '^default' && return 0
    return 1
}

# Claims fleet id $1 for DIR; fails when someone else has it.
claim_id() {
    mkdir -p "$CLAIMS"
    mkdir "$CLAIMS/$1" 2>/dev/null || return 1
    printf '%s\n' "$DIR" >"$CLAIMS/$1/dir"
    # The process the fleet belongs to (a test run), if it said: `clean` stops the fleet
    # once that process is gone. A fleet without an owner only goes with `clean --all`.
    if [[ -n ${TARMAC_FLEET_OWNER:-} ]]; then printf '%s\n' "$TARMAC_FLEET_OWNER" >"$CLAIMS/$1/owner"; fi
}

# Releases fleet id $1 if DIR holds the claim.
release_id() {
    [[ -f $CLAIMS/$1/dir && $(<"$CLAIMS/$1/dir") == "$DIR" ]] || return 0
    rm -f "$CLAIMS/$1/dir" "$CLAIMS/$1/owner"
    rmdir "$CLAIMS/$1" 2>/dev/null || true
}

in_use_by() { cat "$CLAIMS/$1/dir" 2>/dev/null || echo 'a fleet starting right now'; }

# Sets ID: the one asked for (which must be free), or the first free one.
choose_id() {
    local wanted=$1 k
    if [[ -n $wanted ]]; then
        in_range "$wanted" 1 250 || die "--id must be 1–250, not '$wanted'"
        [[ ! -d $CLAIMS/$wanted ]] || die "fleet id $wanted is in use by $(in_use_by "$wanted") (stop it, or '$PROGRAM clean')"
        if subnet_in_use "$wanted"; then
            die "fleet id $wanted: $(subnet "$wanted") is already routed here: $(ip -4 route show root "$(subnet "$wanted")" | head -n 1)"$'\n'"pick another --id or set TARMAC_FLEET_NET"
        fi
        claim_id "$wanted" || die "fleet id $wanted is in use by $(in_use_by "$wanted")"
        ID=$wanted
        return
    fi
    for ((k = 1; k <= 250; k++)); do
        subnet_in_use "$k" && continue
        claim_id "$k" && { ID=$k; return; }
    done
    die "no free fleet id: all of ${NET}.1–250.0/24 are claimed or routed (see 'ip route', '$CLAIMS')"
}

# --- one host -------------------------------------------------------------------------

# The host's network: a namespace, a veth /30, and a route back to the rest of the fleet.
make_network() {
    local i=$1 ns link
    ns=$(ns_name "$i") link=$(ns_name "$i")
    ip netns add "$ns"
    ip link add "$link" type veth peer name eth0 netns "$ns"
    ip addr add "$(host_address "$i")/30" dev "$link"
    # Forwarding only on the fleet's own links lets hosts reach each other (jump-host
    # tests) without turning this machine into a router; the hosts have no default route.
    echo 1 >"/proc/sys/net/ipv4/conf/$link/forwarding"
    ip link set "$link" up
    ip -n "$ns" addr add "$(guest_address "$i")/30" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add "$(subnet "$ID")" via "$(host_address "$i")"
}

# A minimal /dev of the host's own: device nodes on a tmpfs and a private devpts. Unlike
# a bind of the real /dev, nothing done in the host (or an rm -rf of DIR) can reach it.
make_dev() {
    local dev=$1
    mount -t tmpfs -o size=1m,mode=0755,nosuid tarmac-fleet-dev "$dev"
    mknod -m 0666 "$dev/null" c 1 3
    mknod -m 0666 "$dev/zero" c 1 5
    mknod -m 0666 "$dev/full" c 1 7
    mknod -m 0666 "$dev/random" c 1 8
    mknod -m 0666 "$dev/urandom" c 1 9
    mknod -m 0666 "$dev/tty" c 5 0
    mkdir "$dev/pts" "$dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 tarmac-fleet-devpts "$dev/pts"
    mount -t tmpfs -o size=16m,mode=1777,nosuid,nodev tarmac-fleet-shm "$dev/shm"
    ln -s pts/ptmx "$dev/ptmx"
    ln -s /proc/self/fd "$dev/fd"
    ln -s /proc/self/fd/0 "$dev/stdin"
    ln -s /proc/self/fd/1 "$dev/stdout"
    ln -s /proc/self/fd/2 "$dev/stderr"
}

# The host's file system: its tmpfs disk, the overlay of its system's root and what goes
# inside it.
make_root() {
    local i=$1 state root
    state=$(state_dir "$i") root=$(root_dir "$i")
    mkdir -p "$state"
    mount -t tmpfs -o "size=$DISK_SIZE,mode=0755" tarmac-fleet-disk "$state"
    # Private, so nothing mounted below propagates to (or from) the rest of the machine.
    mount --make-private "$state"
    mkdir "$state/upper" "$state/work" "$state/root"
    mount -t overlay -o "lowerdir=$ROOTS/$(system_of "$i"),upperdir=$state/upper,workdir=$state/work" \
        tarmac-fleet-root "$root"
    mount -t proc proc "$root/proc"
    make_dev "$root/dev"
    mount -t tmpfs -o size=16m,mode=0755,nosuid,nodev tarmac-fleet-run "$root/run"
    mkdir -m 0755 "$root/run/sshd"
    mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tarmac-fleet-tmp "$root/tmp"
    # The host's own hostname, in a UTS namespace kept alive by a bind mount on a file.
    : >"$state/uts"
    unshare --uts="$state/uts" hostname "host$i"
}

# Host keys, the client's authorised key and sshd_config, written into the host's overlay.
configure_sshd() {
    local i=$1 root etc
    root=$(root_dir "$i")
    etc=$root${SSHD_CONFIG%/*}
    mkdir -p "$etc"
    ssh-keygen -q -t ed25519 -N '' -C "host$i" -f "$root$HOST_KEYS/ssh_host_ed25519_key"
    ssh-keygen -q -t ecdsa -N '' -C "host$i" -f "$root$HOST_KEYS/ssh_host_ecdsa_key"
    cp "$DIR/id_ed25519.pub" "$etc/authorized_keys"
    cat >"$root$SSHD_CONFIG" <<EOF
# sshd for fleet host$i (written by $PROGRAM); paths are inside the host's root.
ListenAddress $(guest_address "$i"):22
HostKey $HOST_KEYS/ssh_host_ed25519_key
HostKey $HOST_KEYS/ssh_host_ecdsa_key
AuthorizedKeysFile ${SSHD_CONFIG%/*}/authorized_keys
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp
MaxStartups 200
MaxSessions 64
ClientAliveInterval 15
ClientAliveCountMax 4
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
EOF
    # OpenSSH 9.8 and later refuse, for a while, a source whose connections failed to log
    # in; tests fail logins on purpose, all from this machine. Older sshd has no such option
    # and refuses to start on an unknown one, so it is only written where the binary knows it.
    if grep -qa persourcepenalties "$root$SSHD"; then
        printf 'PerSourcePenalties no\n' >>"$root$SSHD_CONFIG"
    fi
    # Without PAM, sshd refuses an account whose password field starts with "!" (locked).
    # Only the host's copy of /etc/shadow changes.
    if grep -q '^root:!' "$root/etc/shadow"; then
        sed -i 's/^root:!*/root:*/' "$root/etc/shadow"
    fi
}

# Runs a command inside host $1: its network and UTS namespaces, chrooted into its root.
enter_host() {
    local i=$1
    shift
    nsenter --net="/run/netns/$(ns_name "$i")" --uts="$(state_dir "$i")/uts" -- chroot "$(root_dir "$i")" "$@"
}

# Starts host $1's sshd in the background, detached from our stdout/stderr (callers
# read those to EOF), and records its process id.
launch_sshd() {
    local i=$1
    # setsid and nsenter and chroot all exec, so $! ends up being sshd itself.
    setsid nsenter --net="/run/netns/$(ns_name "$i")" --uts="$(state_dir "$i")/uts" -- \
        chroot "$(root_dir "$i")" "$SSHD" -D -e -f "$SSHD_CONFIG" \
        </dev/null >>"$(log_file "$i")" 2>&1 &
    printf '%s\n' "$!" >"$(pid_file "$i")"
}

sshd_pid() { cat "$(pid_file "$1")" 2>/dev/null || true; }

# True while host $1's sshd lives; right after launch it may still be on its way there
# (our forked bash → setsid → nsenter → chroot → sshd, each exec'ing the next; on a busy
# machine the fork can be seen before its first exec).
sshd_running() {
    local pid
    pid=$(sshd_pid "$1")
    [[ -n $pid ]] && ! process_gone "$pid" || return 1
    case $(cat "/proc/$pid/comm" 2>/dev/null) in
        sshd | setsid | nsenter | chroot | bash) return 0 ;;
        *) return 1 ;;
    esac
}

# True once sshd's SSH-2.0 banner can be read from the host's address.
banner_seen() {
    # shellcheck disable=SC2016  # expanded by the inner bash
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/22" && IFS= read -r line <&3 && [[ $line == SSH-2.0-* ]]' \
        _ "$1" 2>/dev/null
}

# Waits (bounded) until host $1 answers; on failure shows the end of its sshd log.
wait_ready() {
    local i=$1 deadline=$((SECONDS + READY_SECONDS))
    until banner_seen "$(guest_address "$i")"; do
        if ! sshd_running "$i"; then
            tail -n 5 "$(log_file "$i")" >&2 || true
            die "host$i: sshd exited (log: $(log_file "$i"))"
        fi
        ((SECONDS < deadline)) || {
            tail -n 5 "$(log_file "$i")" >&2 || true
            die "host$i: no SSH banner from $(guest_address "$i") within ${READY_SECONDS}s (log: $(log_file "$i"))"
        }
        sleep 0.05
    done
}

# True once process $1 has exited. Our sshd outlives the start command and is reaped by
# init, which may take its time: a zombie counts as gone.
process_gone() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat%% *} == Z ]]
}

# Stops host $1's sshd (listener only: sessions already running keep going).
kill_sshd() {
    local i=$1 pid tries
    pid=$(sshd_pid "$i")
    if sshd_running "$i"; then
        kill "$pid" 2>/dev/null || true
        for ((tries = 0; tries < 100; tries++)); do
            process_gone "$pid" && break
            sleep 0.02
        done
        if ! process_gone "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            # Until it is gone its listening socket still takes connections, which it then
            # resets ("Connection reset by peer") instead of refusing them.
            for ((tries = 0; tries < 250; tries++)); do
                process_gone "$pid" && break
                sleep 0.02
            done
        fi
    fi
    rm -f "$(pid_file "$i")"
}

# --- the fleet's files ----------------------------------------------------------------

write_descriptions() {
    local i key
    : >"$DIR/known_hosts"
    printf 'name\taddress\tns\troot\tupper\tpidfile\tsystem\n' >"$DIR/hosts.tsv"
    {
        # shellcheck disable=SC2016  # backquotes meant literally
        printf '  # fleet %s (%s): paste after a `groups:` line of a tarmac.yml\n' "$ID" "$DIR"
        printf '  fleet:\n    hosts:\n'
    } >"$DIR/tarmac-group.yml"
    for ((i = 1; i <= COUNT; i++)); do
        for key in ed25519 ecdsa; do
            printf '%s %s\n' "$(guest_address "$i")" \
                "$(cut -d' ' -f1,2 "$(root_dir "$i")$HOST_KEYS/ssh_host_${key}_key.pub")" >>"$DIR/known_hosts"
        done
        printf 'host%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$(guest_address "$i")" "$(ns_name "$i")" \
            "$(root_dir "$i")" "$(state_dir "$i")/upper" "$(pid_file "$i")" "$(system_of "$i")" >>"$DIR/hosts.tsv"
        printf '      - { name: host%s, address: %s }\n' "$i" "$(guest_address "$i")" >>"$DIR/tarmac-group.yml"
    done
    cat >>"$DIR/tarmac-group.yml" <<EOF
    user: root
    identity: $DIR/id_ed25519
    known_hosts: $DIR/known_hosts
    config: AllAtOnce
EOF
}

# --- a fleet behind a bastion (start --bastion) -------------------------------------------

# The bastion (host 0, on this machine's side) and hosts 1…COUNT behind it.
start_behind_bastion() {
    local i
    make_network 0
    make_root 0
    configure_sshd 0
    launch_sshd 0
    for ((i = 1; i <= COUNT; i++)); do
        make_network_behind "$i"
        make_root "$i"
        configure_sshd "$i"
        launch_sshd "$i"
    done
    wait_ready 0
    for ((i = 1; i <= COUNT; i++)); do wait_ready_behind "$i"; done
}

# Host $1's network as make_network makes it, but with the other end of its link inside
# the bastion's namespace.
make_network_behind() {
    local i=$1 ns link bastion
    ns=$(ns_name "$i") link=$(ns_name "$i") bastion=$(ns_name 0)
    ip netns add "$ns"
    ip -n "$bastion" link add "$link" type veth peer name eth0 netns "$ns"
    ip -n "$bastion" addr add "$(host_address "$i")/30" dev "$link"
    ip -n "$bastion" link set "$link" up
    ip -n "$ns" addr add "$(guest_address "$i")/30" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add "$(subnet "$ID")" via "$(host_address "$i")"
}

# wait_ready for a host behind the bastion: its banner is read from the bastion's namespace.
wait_ready_behind() {
    local i=$1 deadline=$((SECONDS + READY_SECONDS))
    # shellcheck disable=SC2016  # expanded by the inner bash
    until ip netns exec "$(ns_name 0)" timeout 1 bash -c \
        'exec 3<>"/dev/tcp/$1/22" && IFS= read -r line <&3 && [[ $line == SSH-2.0-* ]]' _ "$(guest_address "$i")" \
        2>/dev/null; do
        sshd_running "$i" || die "host$i: sshd exited (log: $(log_file "$i"))"
        ((SECONDS < deadline)) || die "host$i: no SSH banner behind the bastion within ${READY_SECONDS}s (log: $(log_file "$i"))"
        sleep 0.05
    done
}

# bastion.tsv, the bastion's keys in known_hosts, and proxy_jump in tarmac-group.yml.
write_bastion_descriptions() {
    local key
    printf 'name\taddress\tns\troot\tupper\tpidfile\tsystem\n' >"$DIR/bastion.tsv"
    printf 'bastion\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(guest_address 0)" "$(ns_name 0)" "$(root_dir 0)" \
        "$(state_dir 0)/upper" "$(pid_file 0)" "$(system_of 0)" >>"$DIR/bastion.tsv"
    for key in ed25519 ecdsa; do
        printf '%s %s\n' "$(guest_address 0)" \
            "$(cut -d' ' -f1,2 "$(root_dir 0)$HOST_KEYS/ssh_host_${key}_key.pub")" >>"$DIR/known_hosts"
    done
    printf '    proxy_jump: root@%s\n' "$(guest_address 0)" >>"$DIR/tarmac-group.yml"
}

# --- subcommands ----------------------------------------------------------------------

require_tools() {
    ((EUID == 0)) || die "needs root (network namespaces and mounts)"
    local tool
    for tool in ip nsenter unshare chroot setsid mknod mountpoint ssh-keygen timeout; do
        command -v "$tool" >/dev/null || die "needs '$tool' (apt-get install iproute2 util-linux openssh-client coreutils)"
    done
}

# Checks the comma-separated systems $1 (after `mix` is spelled out) and sets SYSTEMS.
choose_systems() {
    local list=${1/#mix/$MIX} systems system
    [[ $list =~ ^[a-z0-9,-]+$ ]] || die "start: --system must be names like debian-12 separated by commas, not '$1'"
    IFS=, read -ra systems <<<"$list"
    ((${#systems[@]})) || die "start: --system names no system"
    for system in "${systems[@]}"; do
        [[ $system =~ ^debian-1[123](-full|-bench)?$ ]] ||
            die "start: no system '$system' (debian-11, debian-12, debian-13, each also as …-full or …-bench)"
        [[ -x $ROOTS/$system$SSHD ]] ||
            die "start: $system is not built in $ROOTS (make roots, or bash ${0%/*}/roots.sh build $system)"
    done
    SYSTEMS=$list
}

# On a failed start: say so, undo everything, keep the non-zero status.
abort_start() {
    local status=$?
    trap - EXIT
    ((status != 0)) || return 0
    note "start failed; tearing down what was made in $DIR"
    teardown >/dev/null 2>&1 || true
    exit "$status"
}

cmd_start() {
    local count=${1:-} wanted_id='' i started=$SECONDS systems=mix
    shift || true
    DISK_SIZE=256m BASTION=0
    while (($#)); do
        case $1 in
            --bastion) BASTION=1; shift ;;
            --id) wanted_id=${2:?--id needs a value}; shift 2 ;;
            --disk-size) DISK_SIZE=${2:?--disk-size needs a value}; shift 2 ;;
            --system) systems=${2:?--system needs a value}; shift 2 ;;
            *) die "start: unknown option '$1'" ;;
        esac
    done
    in_range "$count" 1 "$MAX_HOSTS" || die "start: N must be 1–$MAX_HOSTS, not '$count'"
    [[ $DISK_SIZE =~ ^[0-9]+[kmgKMG]?$ ]] || die "start: --disk-size must look like 256m, not '$DISK_SIZE'"
    require_tools
    choose_systems "$systems"
    [[ ! -f $DIR/fleet.env ]] || die "$DIR already holds a fleet; '$PROGRAM stop $DIR' first"
    choose_id "$wanted_id"
    COUNT=$count
    # Recorded before anything is made, so stop can always find what to undo.
    printf 'ID=%s\nCOUNT=%s\nNET=%s\nDISK_SIZE=%s\nSYSTEMS=%s\nBASTION=%s\n' "$ID" "$COUNT" "$NET" "$DISK_SIZE" \
        "$SYSTEMS" "$BASTION" \
        >"$DIR/fleet.env"
    trap abort_start EXIT
    mkdir -p "$DIR/logs" "$DIR/run" "$DIR/hosts"
    rm -f "$DIR/id_ed25519" "$DIR/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "tarmac-fleet-$ID" -f "$DIR/id_ed25519"
    make_void
    if ((BASTION)); then
        start_behind_bastion
    else
    for ((i = 1; i <= COUNT; i++)); do
        make_network "$i"
        make_root "$i"
        configure_sshd "$i"
        launch_sshd "$i"
    done
    for ((i = 1; i <= COUNT; i++)); do wait_ready "$i"; done
    fi
    write_descriptions
    if ((BASTION)); then write_bastion_descriptions; fi
    trap - EXIT
    note "fleet $ID: $COUNT host(s) up in $((SECONDS - started))s; see $DIR/hosts.tsv"
}

# The void the fleet's /24 falls into while a link is cut (see the header).
make_void() {
    if ip link add "$(void_link)" type ifb 2>/dev/null; then
        ip link set "$(void_link)" up
        ip route add "$(subnet "$ID")" dev "$(void_link)" metric 4000
    else
        # Without ifb a blackhole still keeps packets on this machine, but a connect to a
        # cut host then fails at once ("Invalid argument") instead of timing out.
        ip route add blackhole "$(subnet "$ID")" metric 4000
    fi
}

# Lists the host numbers that may have something to undo: the recorded count, plus any
# namespace or state directory of this fleet id (a crashed run may have made more).
host_indexes_to_undo() {
    {
        seq 1 "${COUNT:-0}"
        ip netns list 2>/dev/null | sed -n "s/^tm${ID}h\([0-9]\+\)\b.*/\1/p"
        for state in "$DIR"/hosts/host*; do [[ -d $state ]] && printf '%s\n' "${state##*/host}"; done
    } | sort -nu -r
}

# Kills whatever still runs in host $1's network namespace (sessions, daemons of hooks).
kill_namespace_processes() {
    local ns pids tries
    ns=$(ns_name "$1")
    for signal in TERM KILL; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [[ -n $pids ]] || return 0
        # shellcheck disable=SC2086  # one pid per word
        kill -"$signal" $pids 2>/dev/null || true
        for ((tries = 0; tries < 50; tries++)); do
            [[ -z $(ip netns pids "$ns" 2>/dev/null || true) ]] && return 0
            sleep 0.02
        done
    done
}

teardown_host() {
    local i=$1 state ns
    state=$(state_dir "$i") ns=$(ns_name "$i")
    kill_sshd "$i"
    kill_namespace_processes "$i"
    if mountpoint -q "$state"; then
        # Recursive: the disk holds the overlay, which holds proc, dev, run, tmp; and uts.
        umount -R "$state" 2>/dev/null || umount -R -l "$state" || note "host$i: could not unmount $state"
    fi
    ip link del "$ns" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    # Only ever rmdir: the directory is empty once its tmpfs is gone.
    [[ ! -d $state ]] || rmdir "$state" 2>/dev/null || note "host$i: $state is not empty; left in place"
}

# Prints the mount points still under DIR (from /proc/self/mountinfo; DIR has no spaces).
mounts_under_dir() {
    awk -v dir="$DIR/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo
}

teardown() {
    local i
    for i in $(host_indexes_to_undo); do teardown_host "$i"; done
    ip link del "$(void_link)" 2>/dev/null || true
    ip route del blackhole "$(subnet "$ID")" 2>/dev/null || true
    rmdir "$DIR/hosts" 2>/dev/null || true
    rm -f "$DIR/fleet.env"
    release_id "$ID"
}

cmd_stop() {
    if [[ -f $DIR/fleet.env ]]; then
        load_fleet
    else
        # A crashed start may not have written fleet.env; the claim still names DIR.
        local claim
        for claim in "$CLAIMS"/*/dir; do
            [[ -f $claim && $(<"$claim") == "$DIR" ]] || continue
            ID=$(basename "$(dirname "$claim")")
        done
        [[ -n ${ID:-} ]] || { note "no fleet in $DIR (nothing to stop)"; return 0; }
        COUNT=0
    fi
    teardown
    local left
    left=$(mounts_under_dir; ip netns list 2>/dev/null | grep -E "^tm${ID}h[0-9]+\b" || true)
    [[ -z $left ]] || die "stop left these behind:"$'\n'"$left"
}

cmd_clean() {
    local all=${1:-} claim id dir owner
    for claim in "$CLAIMS"/*/dir; do
        [[ -f $claim ]] || continue
        id=$(basename "$(dirname "$claim")") dir=$(<"$claim")
        owner=$(cat "$CLAIMS/$id/owner" 2>/dev/null || true)
        if [[ $all != --all ]]; then
            if [[ -z $owner ]]; then
                note "leaving fleet $id in $dir: it has no owner process ('clean --all' stops it)"
                continue
            elif ! process_gone "$owner"; then
                note "leaving fleet $id in $dir: its owner (pid $owner) still runs ('clean --all' stops it)"
                continue
            fi
        fi
        note "stopping fleet $id in $dir"
        "$0" stop "$dir" || true
    done
}

cmd_status() {
    load_fleet
    local i link sshd disk
    printf 'fleet %s in %s\n' "$ID" "$DIR"
    for ((i = 1; i <= COUNT; i++)); do
        link=$(ip -br link show "$(ns_name "$i")" 2>/dev/null | awk '{ print $2 }')
        if sshd_running "$i"; then sshd="sshd $(sshd_pid "$i")"; else sshd="sshd stopped"; fi
        disk=$(df -h --output=used,size "$(state_dir "$i")" 2>/dev/null | awk 'NR == 2 { print $1 "/" $2 }')
        printf 'host%s\t%s\t%s\tlink %s\t%s\tdisk %s\n' "$i" "$(guest_address "$i")" "$(system_of "$i")" \
            "${link:-gone}" "$sshd" "${disk:-gone}"
    done
    if ((${BASTION:-0})); then
        if sshd_running 0; then sshd="sshd $(sshd_pid 0)"; else sshd="sshd stopped"; fi
        printf 'bastion\t%s\t%s\t(hosts above are reached only through it)\n' "$(guest_address 0)" "$sshd"
    fi
}

cmd_fill() {
    local i=$1 state free
    state=$(state_dir "$i")
    free=$(df -B1 --output=avail "$state" | tail -n 1)
    # fallocate takes the bulk at once; dd then takes the pages rounding left over.
    ((free == 0)) || fallocate -l "$free" "$state/ballast" 2>/dev/null || true
    dd if=/dev/zero of="$state/ballast.rest" bs=4k 2>/dev/null || true
}

main() {
    local command=${1:-help}
    shift || true
    case $command in
        help | -h | --help) usage; return ;;
        clean) require_tools; cmd_clean "${1:-}"; return ;;
        start) set_dir "${1:-}" create; shift; cmd_start "$@"; return ;;
        stop)
            # A crashed run's DIR may be gone already; its claim still names it.
            if [[ -n ${1:-} && ! -d $1 ]]; then DIR=$(realpath -m "$1"); else set_dir "${1:-}"; fi
            cmd_stop
            return
            ;;
        status) set_dir "${1:-}"; cmd_status; return ;;
        cut | mend | stop-sshd | start-sshd | fill | unfill | exec | root | upper) ;;
        *) usage >&2; die "unknown command '$command'" ;;
    esac
    # The per-host commands: COMMAND DIR HOST [-- CMD…]
    set_dir "${1:-}"
    load_fleet
    local i
    i=$(host_index "${2:?$command needs DIR and HOST}")
    shift 2
    case $command in
        cut) ip link set "$(ns_name "$i")" down ;;
        mend) ip link set "$(ns_name "$i")" up ;;
        stop-sshd) kill_sshd "$i" ;;
        start-sshd)
            sshd_running "$i" || launch_sshd "$i"
            wait_ready "$i"
            ;;
        fill) cmd_fill "$i" ;;
        unfill) rm -f "$(state_dir "$i")/ballast" "$(state_dir "$i")/ballast.rest" ;;
        exec)
            [[ ${1:-} == -- ]] && shift
            (($#)) || die "exec needs a command after --"
            enter_host "$i" "$@"
            ;;
        root) root_dir "$i"; echo ;;
        upper) printf '%s/upper\n' "$(state_dir "$i")" ;;
    esac
}

main "$@"
