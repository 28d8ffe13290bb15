# tarmac: probe of group g-web
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
t_hex() { od -An -v -tx1 | tr -d ' \n'; }
t_kind() {
  if [ -L "$2" ]; then k=symlink
  elif [ ! -e "$2" ]; then k=missing
  elif [ -f "$2" ]; then k=file
  elif [ -d "$2" ]; then k=directory
  else k=other; fi
  printf '@fact path %s %s\n' "$1" "$k" >&3
}
t_has() { if "$@" >/dev/null 2>&1; then echo present; else echo absent; fi; }
t_user() { printf '@fact user %s %s\n' "$1" "$(t_has getent passwd "$2")" >&3; }
t_group() { printf '@fact group %s %s\n' "$1" "$(t_has getent group "$2")" >&3; }
t_tool() { printf '@fact tool %s %s\n' "$1" "$(t_has command -v "$2")" >&3; }
t_cleanup() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  if [ -L "$1" ] || [ ! -f "$1" ]; then t_note 'the cleanup file is not a regular file; ignored'; return 0; fi
  if [ "$(stat -c %u -- "$1")" != "$(id -u)" ]; then t_note 'the cleanup file is owned by another user; ignored'; return 0; fi
  case $(stat -c %A -- "$1") in
    ?????w????|????????w?) t_note 'the cleanup file is group- or world-writable; ignored'; return 0 ;;
  esac
  od -An -v -tx1 -- "$1" | tr -d ' ' | sed 's/^/@fact cleanup-hex /' >&3
  printf '@fact cleanup-size %s\n' "$(wc -c < "$1" | tr -d ' ')" >&3
}
t_last() {
  [ -f "$1" ] || return 0
  d=$(cat -- "$1") || return 0
  printf '@fact last-successful-hex %s\n' "$(printf '%s' "$d" | t_hex)" >&3
  if [ -d "$d" ]; then e=yes; else e=no; fi
  printf '@fact last-successful-exists %s\n' "$e" >&3
}
t_deployments() {
  [ -d "$1" ] || return 0
  for d in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$d" ] || [ -L "$d" ] || continue
    m=$(stat -c %Y -- "$d") || continue
    printf '@fact deployment %s %s\n' "$m" "$(printf '%s' "${d##*/}" | t_hex)" >&3
  done
}
t_free() {
  p=$1
  while [ ! -e "$p" ]; do p=${p%/*}; [ -n "$p" ] || p=/; done
  f=$(df -k --output=avail -- "$p" | tail -n 1 | tr -d ' ') || return 0
  printf '@fact free-kib %s\n' "$f" >&3
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
# Paths, by index (symlinks are not followed).
t_kind 0 '/srv/app'
t_kind 1 '/srv/app/$(reboot)'
t_kind 2 '/srv/app/it'\''s here'
# Users, groups and tools.
t_user 0 'www-data'
t_group 0 'www-data'
t_tool 0 'sh'
t_tool 1 'tar'
t_tool 2 'gzip'
t_tool 3 'sha256sum'
t_tool 4 'setsid'
t_tool 5 'timeout'
t_tool 6 'runuser'
t_tool 7 'su'
t_tool 8 'setfacl'
t_tool 9 'semanage'
t_tool 10 'restorecon'
# Bookkeeping of the group, free space and the host lock.
t_cleanup '/var/lib/tarmac/deployment-instructions/g-web-cleanup'
t_last '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install'
t_deployments '/var/lib/tarmac/g-web'
t_free '/var/lib/tarmac'
t_lock '/var/lib/tarmac/.tarmac-lock' "${TARMAC_SESSION_PID:-$PPID}"
printf '@done 0\n' >&3
