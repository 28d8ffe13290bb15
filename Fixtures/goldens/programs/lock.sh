# tarmac: take the host lock for deployment d-20260101-1
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
t_lock() {
  [ -d "$1" ] || return 0
  i= p= t=
  [ ! -f "$1/info" ] || { IFS= read -r i; IFS= read -r p; IFS= read -r t; } < "$1/info" || :
  case $p in ''|*[!0-9]*) p=0 ;; esac
  case $t in ''|*[!0-9]*) t=0 ;; esac
  a=dead
  if [ "$p" -gt 0 ] && { kill -0 "$p" 2>/dev/null || [ -d "/proc/$p" ]; }; then a=alive; fi
  c=; [ "$p" != "$2" ] || c=' caller'
  printf '@fact lock %s %s %s %s%s\n' "$(printf '%s' "$i" | od -An -v -tx1 | tr -d ' \n')" "$p" "$t" "$a" "$c" >&3
}
t_uid=$(id -u)
# A path in one line, for a note.
t_show() { t_shown=$(printf '%s' "$1" | tr '\n\r' '??'); }
# ROLE: ancestor (a sticky directory or a link allowed), root (a link allowed), directory, or record (a regular file of ours).
# t_checks PATH ROLE [PATH ROLE]…: each path that exists judged by t_judge, with one stat for all.
t_checks() {
  t_croles= t_cn=$#
  while [ "$t_cn" -gt 0 ]; do
    t_cp=$1 t_cr=$2; shift 2; t_cn=$((t_cn - 2))
    if [ -e "$t_cp" ] || [ -L "$t_cp" ]; then set -- "$@" "$t_cp"; t_croles="$t_croles$t_cr "; fi
  done
  [ $# -gt 0 ] || return 0
  t_csts=$(stat -c '%u %a %A %U' -- "$@") || t_fail root 'cannot stat a path of the deployment root'
  while IFS=' ' read -r t_cu t_ca t_cA t_cU; do
    t_judge "$1" "${t_croles%% *}" "$t_cu" "$t_ca" "$t_cA" "$t_cU"
    t_croles=${t_croles#* }; shift
  done <<EOF
$t_csts
EOF
}
t_check() { t_checks "$1" "$2"; }
# t_judge PATH ROLE UID MODE PERMISSIONS OWNER: fails unless the path is fit for its role.
t_judge() {
  t_bad=
  case $2:$5 in
    ancestor:l*|ancestor:d*|root:l*|root:d*|directory:d*|record:-*) ;;
    record:*) t_bad='is not a regular file' ;;
    *) t_bad='is not a directory' ;;
  esac
  if [ -z "$t_bad" ] && [ "$3" != "$t_uid" ] && { [ "$2" = record ] || [ "$3" != 0 ]; }; then
    t_bad='is not owned by root or the deployment user'
  fi
  case $2:$5 in
    *:l*|ancestor:d????????[tT]) ;;
    *:?????w????|*:????????w?) [ -n "$t_bad" ] || t_bad='is writable by other users' ;;
  esac
  [ -n "$t_bad" ] || return 0
  t_show "$1"
  t_m=000$4
  t_m=${t_m#"${t_m%????}"}
  case $2 in
    record) t_what='a record tarmac reads back must be a regular file owned by the deployment user and writable by no one else; check it, then remove it' ;;
    *) t_what='the deployment root, its ancestors and the directories in it must be owned by root (or the deployment user) and writable by no one else' ;;
  esac
  t_fail root "the deployment root is not safe: $t_shown $t_bad (owner $6, uid $3, mode $t_m, $5): $t_what"
}
# Every component from / down, as written and as resolved (symlinks followed).
t_walk() {
  t_rest=${1#/} t_cur=
  set -- / ancestor
  while [ -n "$t_rest" ]; do
    t_part=${t_rest%%/*}
    case $t_rest in */*) t_rest=${t_rest#*/} ;; *) t_rest= ;; esac
    [ -n "$t_part" ] || continue
    t_cur=$t_cur/$t_part
    [ -e "$t_cur" ] || [ -L "$t_cur" ] || break
    if [ -n "${t_rest%/}" ]; then set -- "$@" "$t_cur" ancestor; else set -- "$@" "$t_cur" root; fi
  done
  t_checks "$@"
}
t_chain() {
  t_walk "$1"
  [ -d "$1" ] || return 0
  t_real=$(cd -P -- "$1" && pwd -P) || t_fail root 'cannot resolve the deployment root'
  [ "$t_real" = "$1" ] || t_walk "$t_real"
}
t_let t_dir '/var/lib/tarmac/.tarmac-lock'
t_pid=${TARMAC_SESSION_PID:-$PPID}
# The deployment root is checked before it is used, and again once it exists.
t_chain '/var/lib/tarmac'
mkdir -p -- '/var/lib/tarmac' || t_fail lock 'cannot create the deployment root' '/var/lib/tarmac'
t_chain '/var/lib/tarmac'
t_checks '/var/lib/tarmac/deployment-instructions' directory '/var/lib/tarmac/deployment-logs' directory '/var/lib/tarmac/g-web' directory '/var/lib/tarmac/.tarmac-lock' directory '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' record '/var/lib/tarmac/deployment-instructions/g-web-cleanup' record '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' record '/var/lib/tarmac/deployment-logs/tarmac-deployments.log' record
if mkdir -- "$t_dir" 2>/dev/null; then
  printf '%s\n%s\n%s\n' 'd-20260101-1' "$t_pid" "$(date +%s)" > "$t_dir/info.tmp" && mv -f -- "$t_dir/info.tmp" "$t_dir/info" || t_fail lock 'cannot write the lock'\''s info file' "$t_dir"
else
  [ -d "$t_dir" ] || t_fail lock 'cannot create the lock directory' "$t_dir"
  t_lock "$t_dir" "$t_pid"
  t_fail lock 'the host is locked by another deployment (see the lock fact: holder, pid, start, alive). If its process is gone and no tarmac run uses this host, remove /var/lib/tarmac/.tarmac-lock after checking, then retry.'
fi
printf '@step lock ok\n' >&3
printf '@done 0\n' >&3
# tarmac: release the host lock of deployment d-20260101-1
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
t_let t_dir '/var/lib/tarmac/.tarmac-lock'
if [ ! -d "$t_dir" ] ; then
  t_note 'the host lock was not held'
  printf '@done 0\n' >&3
  exit 0
fi
t_holder=
[ ! -f "$t_dir/info" ] || { IFS= read -r t_holder < "$t_dir/info" || :; }
if [ "$t_holder" != 'd-20260101-1' ] ; then
  t_fail unlock 'the host lock is held by another deployment; left in place'
fi
rm -f -- "$t_dir/info" && rmdir -- "$t_dir" || t_fail unlock 'cannot remove the host lock' "$t_dir"
printf '@step unlock ok\n' >&3
printf '@done 0\n' >&3
# The host lock goes with the program's end, when this deployment holds it.
t_let t_ldir '/var/lib/tarmac/.tarmac-lock'
t_lholder=
[ ! -f "$t_ldir/info" ] || { IFS= read -r t_lholder < "$t_ldir/info" || :; }
[ "$t_lholder" = 'd-20260101-1' ] && rm -f -- "$t_ldir/info" && rmdir -- "$t_ldir" && printf '@step unlock ok\n' >&3
