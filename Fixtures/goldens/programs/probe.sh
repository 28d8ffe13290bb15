# tarmac: probe of group g-web
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
t_hex() { od -An -v -tx1 | tr -d ' \n'; }
t_has() { if "$@" >/dev/null 2>&1; then echo present; else echo absent; fi; }
t_user() { printf '@fact user %s %s\n' "$1" "$(t_has getent passwd "$2")" >&3; }
t_group() { printf '@fact group %s %s\n' "$1" "$(t_has getent group "$2")" >&3; }
t_tool() { printf '@fact tool %s %s\n' "$1" "$(t_has command -v "$2")" >&3; }
t_runner() { printf '@fact runner %s %s\n' "$(id -u)" "$(id -g)" >&3; }
t_stats() {
  t_i=$1 t_ix= t_ks=; shift
  if t_sl=$(stat --printf '@fact stat-line %d:%i:%h:%u:%g:%f:%s:%.9Z\n' -- "$@" 2>/dev/null); then
    printf '@fact stats-all %s %s\n' "$t_i" "$#" >&3
    printf '%s\n' "$t_sl" >&3
    t_marks "$@"
    return 0
  fi
  for t_p do
    if [ -h "$t_p" ]; then t_ks=${t_ks}l t_ix="$t_ix $t_i"
    elif [ ! -e "$t_p" ]; then t_ks=${t_ks}m
    elif [ -f "$t_p" ]; then t_ks=${t_ks}f t_ix="$t_ix $t_i"
    elif [ -d "$t_p" ]; then t_ks=${t_ks}d t_ix="$t_ix $t_i"
    else t_ks=${t_ks}o t_ix="$t_ix $t_i"; fi
    t_i=$((t_i + 1))
  done
  printf '@fact kinds %s %s\n' "$((t_i - $#))" "$t_ks" >&3
  [ -n "$t_ix" ] || return 0
  printf '@fact stats%s\n' "$t_ix" >&3
  stat --printf '@fact stat-line %d:%i:%h:%u:%g:%f:%s:%.9Z\n' -- "$@" 2>/dev/null >&3
  t_marks "$@"
}
t_marks() {
  ls -ldUn --quoting-style=escape -- "$@" 2>/dev/null | cut -c11 | sed 's/^/@fact mark-line x/' >&3
}
t_stats_under() {
  if [ ! -e "$1" ] && [ ! -h "$1" ]; then printf '@fact kinds %s %s\n' "$3" "$2" >&3; return 0; fi
  shift 2
  t_stats "$@"
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
t_cleanup() {
  [ -f "$1" ] || return 0
  base64 -w 76 -- "$1" | sed 's/^/@fact cleanup-b64 /' >&3
  printf '@fact cleanup-size %s\n' "$(wc -c < "$1" | tr -d ' ')" >&3
}
t_install_stat() {
  t_check "$1" record
  [ -f "$1" ] || return 0
  sed 's/^/@fact install-stat /' -- "$1" >&3
}
t_sha_of() {
  t_sha=
  [ -f "$1" ] && [ ! -L "$1" ] || return 0
  t_sha=$(head -c 65 -- "$1") || t_sha=
  case ${#t_sha}:$t_sha in 64:*) ;; 65:*' ') t_sha=${t_sha%' '} ;; *) t_sha= ;; esac
  case $t_sha in *[!0-9a-f]*) t_sha= ;; esac
}
# t_last FILE GROUP_DIR: the record must name a deployment directory of this group.
t_last() {
  [ -f "$1" ] || return 0
  d=$(cat -- "$1") || return 0
  case ${d#"$2"/} in
    "$d"|''|*/*|.|..) t_show "$1"
      t_fail root "the last successful install record $t_shown names a directory outside the group's: check it, then remove it" ;;
  esac
  printf '@fact last-successful-hex %s\n' "$(printf '%s' "$d" | t_hex)" >&3
  if [ -d "$d" ] && [ ! -L "$d" ]; then e=yes; else e=no; fi
  printf '@fact last-successful-exists %s\n' "$e" >&3
  [ "$e" = yes ] || return 0
# A revision whose files others could change (an older tarmac kept the bundle's modes).
  u=$(find "$d" ! -type l \( -perm /022 -o ! -user "$t_uid" \) -print -quit 2>/dev/null)
  [ -z "$u" ] || printf '@fact last-successful-unsafe %s\n' "$(printf '%s' "${u#"$d"/}" | t_hex)" >&3
# The base a delta can start from: its manifest's digest.
  t_sha_of "$d/deployment-archive/.tarmac/manifest.sha256"
  [ -z "$t_sha" ] || printf '@fact base-manifest-sha256 %s\n' "$t_sha" >&3
}
t_deployments() {
  [ -d "$1" ] || return 0
  t_dd=$1; shift
  for d in "$t_dd"/* "$t_dd"/.[!.]* "$t_dd"/..?*; do
    [ -e "$d" ] || [ -L "$d" ] || continue
    set -- "$@" "$d"
  done
  [ $# -gt 0 ] || return 0
  if t_ms=$(stat -c %Y -- "$@" 2>/dev/null); then
    printf '@fact deployment-mtimes %s\n' "$(printf '%s ' $t_ms)" >&3
    printf '@fact deployment-names %s\n' "$(for d do printf '%s\000' "${d##*/}"; done | t_hex)" >&3
    return 0
  fi
  for d do
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
# The deployment root and the records in it: owned by root (or this user), writable by no one else.
t_chain '/var/lib/tarmac'
t_checks '/var/lib/tarmac/deployment-instructions' directory '/var/lib/tarmac/deployment-logs' directory '/var/lib/tarmac/g-web' directory '/var/lib/tarmac/.tarmac-lock' directory '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' record '/var/lib/tarmac/deployment-instructions/g-web-cleanup' record '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' record '/var/lib/tarmac/deployment-logs/tarmac-deployments.log' record
# What stat says of the paths that exist (links never followed), by index.
t_runner
t_stats_under '/srv' 'm' 0 '/srv/app'
t_stats_under '/srv/app' 'mm' 1 '/srv/app/$(reboot)' '/srv/app/it'\''s here'
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
t_install_stat '/var/lib/tarmac/deployment-instructions/g-web_install_stat'
t_last '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' '/var/lib/tarmac/g-web'
t_deployments '/var/lib/tarmac/g-web'
t_free '/var/lib/tarmac'
t_lock '/var/lib/tarmac/.tarmac-lock' "${TARMAC_SESSION_PID:-$PPID}"
printf '@done 0\n' >&3
