# tarmac: hook program: ApplicationStart of deployment d-ABC123, 2 script(s)
# Protocol lines go to descriptor 3; every tool's own output goes to stderr.
set -u
umask 022
LC_ALL=C; export LC_ALL
PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' ; export PATH
exec 3>&1 1>&2
t_let() { eval "$1=\$2"; }
t_note() { printf '@note %s\n' "$1" >&3; }
t_disk_full() { case $1 in *'No space left on device'*|*'Disk quota exceeded'*) return 0 ;; esac; return 1; }
t_fail() {
  printf '@step %s failed\n@note %s\n' "$1" "$2" >&3
  [ -z "${3+x}" ] || printf 'tarmac: %s: %s\n' "$2" "$3" >&2
  printf '@done 1\n' >&3
  exit 1
}
set -- 'ApplicationStart' 'd-ABC123' '/var/lib/tarmac/g-1/d-ABC123/logs/scripts.log' '/var/lib/tarmac/deployment-logs/tarmac-deployments.log' '/var/lib/tarmac/g-1/d-ABC123/logs' '/var/lib/tarmac/deployment-logs'
tarmac_event=$1
tarmac_deployment=$2
tarmac_scripts_log=$3
tarmac_aggregate_log=$4
tarmac_self=$(id -un 2>/dev/null) || tarmac_self=$(id -u)
tarmac_runuser=$(command -v runuser) || tarmac_runuser=
tarmac_setsid=$(command -v setsid) || tarmac_setsid=setsid
tarmac_elf=$(printf '\177ELF')
tarmac_keep=
tarmac_runner=${TARMAC_SESSION_PID:-$PPID}
tarmac_watchdog='w=0
while [ "$w" -lt "$1" ] && kill -0 "$4" 2>/dev/null; do sleep 1 || exit 0; w=$((w + 1)); done
: >"$3"
n=0
while [ "$n" -lt 20 ] && ! kill -0 -"$2" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.1; n=$((n + 1)); done
kill -TERM -"$2" 2>/dev/null || kill -TERM "$2" 2>/dev/null || exit 0
n=0
while [ "$n" -lt 25 ] && kill -0 -"$2" 2>/dev/null; do sleep 0.2; n=$((n + 1)); done
kill -KILL -"$2" 2>/dev/null || exit 0
while [ "$n" -lt 30 ] && kill -0 -"$2" 2>/dev/null; do sleep 0.2; n=$((n + 1)); done'
tarmac_private() {
  if [ -L "$1" ] || { [ -e "$1" ] && [ ! -f "$1" ]; }; then
    t_note 'a log file of this deployment is a symbolic link or not a regular file; nothing was written to it'
    return 1
  fi
  (umask 077 && : >>"$1") && chmod 0600 -- "$1"
}
tarmac_ready=1
for tarmac_tool in setsid tail getent stat mktemp head; do
  command -v "$tarmac_tool" >/dev/null 2>&1 && continue
  t_note "hook programs need $tarmac_tool, which is missing on this host"
  tarmac_ready=
done
if [ -z "$tarmac_ready" ] || ! mkdir -p -- "$5" "$6" || ! chmod 0700 -- "$5" "$6" ||
  ! tarmac_private "$3" || ! tarmac_private "$4" || ! tarmac_tmp=$(mktemp -d -- "$5/.hook-output.XXXXXX"); then
  printf '@step setup failed\n@done 1\n' >&3
  exit 1
fi
tarmac_log() {
  tarmac_now=$(date '+%Y-%m-%d %H:%M:%S.%3N')
  printf '%s %s\n' "${tarmac_now%.*}" "$1" >>"$tarmac_scripts_log"
  printf '[%s] [%s]%s\n' "$tarmac_now" "$tarmac_deployment" "$1" >>"$tarmac_aggregate_log"
}
tarmac_relay() {
  while IFS= read -r tarmac_line || [ -n "$tarmac_line" ]; do
    printf '@%s %s\n' "$1" "$tarmac_line" >&3
    tarmac_log "[$2]$tarmac_line"
  done
}
tarmac_step() {
  echo "@step script:$1 $2 ${3:-0}" >&3
}
tarmac_account() {
  tarmac_entry=$(getent passwd -- "$1") || return 1
  tarmac_entry=${tarmac_entry#*:*:*:*:*:}
  tarmac_home=${tarmac_entry%:*}
  tarmac_shell=${tarmac_entry##*:}
}
tarmac_grant() {
  if command -v setfacl >/dev/null 2>&1; then setfacl -m "u:$3:r-x" -- "$2" && return 0
  else tarmac_gid=$(id -g -- "$3") && chgrp -- "$tarmac_gid" "$2" && chmod 0750 -- "$2" && return 0
  fi
  t_note "script:$1 its runas user could not be let into the deployment archive"
}
tarmac_preflight() {
  if [ ! -e "$2" ]; then tarmac_step "$1" missing; return 1; fi
  if [ ! -x "$2" ]; then
    chmod a+x -- "$2" 2>/dev/null || { tarmac_step "$1" not-executable; return 1; }
    t_note "script:$1 is not executable; made it executable (chmod a+x)"
  fi
  tarmac_interp=
  case $(head -c 4 -- "$2" 2>/dev/null) in
    '#!'* | "$tarmac_elf") ;;
    *) tarmac_interp=/bin/sh; t_note "script:$1 has no #! line; running it with /bin/sh" ;;
  esac
  if [ -n "$3" ]; then
    tarmac_account "$3" || { tarmac_step "$1" unknown-user; return 1; }
    tarmac_user=$3
    [ -z "$4" ] || tarmac_grant "$1" "$4" "$3"
  else
    tarmac_user=$tarmac_self
    tarmac_account "$tarmac_self" || { tarmac_home=/; tarmac_shell=/bin/sh; }
  fi
}
tarmac_start() {
  tarmac_out=$tarmac_tmp/$1.out
  tarmac_err=$tarmac_tmp/$1.err
  tarmac_mark=$tarmac_tmp/$1.timedout
  : >"$tarmac_out"
  : >"$tarmac_err"
  tarmac_t0=$(date +%s%3N)
  tarmac_launch "$2" "$4" </dev/null >"$tarmac_out" 2>"$tarmac_err" 3>&- &
  tarmac_pid=$!
  setsid sh -c "$tarmac_watchdog" tarmac-watchdog "$3" "$tarmac_pid" "$tarmac_mark" "$tarmac_runner" </dev/null >/dev/null 2>&1 3>&- &
  tarmac_wpid=$!
  tail -n +1 -s 0.01 -f --pid="$tarmac_pid" -- "$tarmac_out" 2>/dev/null | tarmac_relay o stdout &
  tarmac_opid=$!
  tail -n +1 -s 0.01 -f --pid="$tarmac_pid" -- "$tarmac_err" 2>/dev/null | tarmac_relay e stderr &
  tarmac_epid=$!
}
tarmac_collect() {
  wait "$tarmac_pid" 2>/dev/null
  tarmac_rc=$?
  tarmac_ms=$(( $(date +%s%3N) - tarmac_t0 ))
  [ -e "$tarmac_mark" ] || { kill -KILL -"$tarmac_wpid" 2>/dev/null; kill -KILL "$tarmac_wpid" 2>/dev/null; }
  wait "$tarmac_wpid" 2>/dev/null
  wait "$tarmac_opid"
  wait "$tarmac_epid"
  if [ -e "$tarmac_mark" ]; then tarmac_status=timeout
  elif [ "$tarmac_rc" -eq 0 ]; then tarmac_status=ok
  elif [ "$tarmac_rc" -gt 128 ] && tarmac_sig=$(kill -l "$tarmac_rc" 2>/dev/null); then tarmac_status=signaled:$tarmac_sig
  else tarmac_status=failed:$tarmac_rc
  fi
  [ "$tarmac_status" = timeout ] || tarmac_holders "$1" || tarmac_keep=1
  tarmac_step "$1" "$tarmac_status" "$tarmac_ms"
  [ "$tarmac_status" = ok ]
}
tarmac_holders() {
  kill -0 -"$tarmac_pid" 2>/dev/null || return 0
  tarmac_o=$(stat -c %d:%i -- "$tarmac_out") && tarmac_e=$(stat -c %d:%i -- "$tarmac_err") || return 0
  stat -L -c '%d:%i %n' /proc/[0-9]*/fd/* 2>/dev/null | {
    tarmac_seen=' '
    while read -r tarmac_id tarmac_fd; do
      [ "$tarmac_id" = "$tarmac_o" ] || [ "$tarmac_id" = "$tarmac_e" ] || continue
      tarmac_p=${tarmac_fd#/proc/}
      tarmac_p=${tarmac_p%%/*}
      case $tarmac_seen in *" $tarmac_p "*) continue ;; esac
      tarmac_seen="$tarmac_seen$tarmac_p "
      read -r tarmac_c 2>/dev/null <"/proc/$tarmac_p/comm" || tarmac_c=unknown
      t_note "script:$1 process $tarmac_p ($tarmac_c) still holds the hook's output; start background processes with >/dev/null 2>&1 </dev/null"
    done
    [ "$tarmac_seen" = ' ' ]
  }
}
tarmac_script() {
  tarmac_preflight "$1" "$2" "$5" "$6" || return 1
  tarmac_log "Script - $3"
  tarmac_start "$1" "$2" "$4" "$5"
  tarmac_collect "$1"
}
tarmac_finish() {
  [ -n "$tarmac_keep" ] || rm -rf -- "$tarmac_tmp"
  echo "@done $1" >&3
  exit "$1"
}
tarmac_launch() {
  cd / || exit 126
  if [ -n "$2" ] && [ -n "$tarmac_runuser" ]; then set -- "$tarmac_runuser" -u "$2" -- ${tarmac_interp:+"$tarmac_interp"} "$1"
  elif [ -n "$2" ]; then set -- su -s /bin/sh "$2" -c 'exec "$0" "$@"' ${tarmac_interp:+"$tarmac_interp"} "$1"
  else set -- ${tarmac_interp:+"$tarmac_interp"} "$1"
  fi
  exec env -i \
'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'LANG=C.UTF-8' \
    "HOME=$tarmac_home" "USER=$tarmac_user" "LOGNAME=$tarmac_user" "SHELL=$tarmac_shell" \
'APPLICATION_NAME=shop' \
'BUNDLE_COMMIT=4f1c2d3e' \
'DEPLOYMENT_GROUP_ID=g-1' \
'DEPLOYMENT_GROUP_NAME=production' \
'DEPLOYMENT_ID=d-ABC123' \
'LIFECYCLE_EVENT=ApplicationStart' \
'TARMAC_HOST=web-1' \
    "$tarmac_setsid" "$@"
}
tarmac_log "LifecycleEvent - $tarmac_event"
tarmac_script 0 '/var/lib/tarmac/g-1/d-ABC123/deployment-archive/scripts/start.sh' 'scripts/start.sh' 300 '' '/var/lib/tarmac/g-1/d-ABC123/deployment-archive' || tarmac_finish 1
tarmac_script 1 '/var/lib/tarmac/g-1/d-ABC123/deployment-archive/it'\''s here.sh' 'it'\''s here.sh' 60 'deploy' '/var/lib/tarmac/g-1/d-ABC123/deployment-archive' || tarmac_finish 1
tarmac_finish 0
