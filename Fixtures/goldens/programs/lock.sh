# tarmac: take the host lock for deployment d-20260101-1
# Protocol lines go to descriptor 3; every tool's own output goes to stderr.
set -u
umask 022
LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH
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
t_let t_dir '/var/lib/tarmac/.tarmac-lock'
t_pid=${TARMAC_SESSION_PID:-$PPID}
mkdir -p -- '/var/lib/tarmac' || t_fail lock 'cannot create the deployment root' '/var/lib/tarmac'
if mkdir -- "$t_dir" 2>/dev/null ; then
  printf '%s\n%s\n%s\n' 'd-20260101-1' "$t_pid" "$(date +%s)" > "$t_dir/info.tmp" && mv -f -- "$t_dir/info.tmp" "$t_dir/info" || t_fail lock 'cannot write the lock'\''s info file' "$t_dir"
  printf '@step lock ok\n' >&3
  printf '@done 0\n' >&3
  exit 0
fi
if [ ! -d "$t_dir" ] ; then
  t_fail lock 'cannot create the lock directory' "$t_dir"
fi
t_lock "$t_dir" "$t_pid"
t_fail lock 'the host is locked by another deployment (see the lock fact: holder, pid, start, alive). If its process is gone and no tarmac run uses this host, remove /var/lib/tarmac/.tarmac-lock after checking, then retry.'
# tarmac: release the host lock of deployment d-20260101-1
# Protocol lines go to descriptor 3; every tool's own output goes to stderr.
set -u
umask 022
LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH
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
