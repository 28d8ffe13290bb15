# tarmac: install deployment d-20260101-1 of group g-web
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
t_append() { printf "$1" "$2" >> "$t_cleanup" || t_fail cleanup-file 'cannot append to the cleanup file' "$t_cleanup"; }
t_record() { t_append '%s\n' "$1"; }
t_records() { printf '%s\n' "$@" >> "$t_cleanup" || t_fail cleanup-file 'cannot append to the cleanup file' "$t_cleanup"; }
t_record_escaped() { t_append 'escaped\000%s\n' "$1"; }
t_record_label() { t_append 'semanage\000%s\n' "$1"; }
unset CDPATH
t_uid=$(id -u)
t_trusted() { case $(stat -c %u:%a -- . 2>/dev/null) in 0:*[0145][0145] | "$t_uid":*[0145][0145]) return 0 ;; esac; return 1; }
t_in() {
  cd -P / || return 1
  t_rest=$1
  while :; do
    t_rest=${t_rest#/}
    [ -n "$t_rest" ] || return 0
    case $t_rest in /*) continue ;; esac
    t_c=${t_rest%%/*}; t_rest=${t_rest#"$t_c"}; t_was=${PWD%/}
    if [ -h "./$t_c" ]; then
      t_trusted || return 2
      cd -P -- "./$t_c" 2>/dev/null || return 1
    else
      cd -P -- "./$t_c" 2>/dev/null || return 1
      [ "$PWD" = "$t_was/$t_c" ] || return 2
    fi
  done
}
t_enter() {
  t_in "$3" && return 0
  if [ $? -eq 2 ]; then
    t_fail "$1:$2" "the way to the directory of #$2 passes a symlink (or a directory moved while Install ran) in a directory a non-root user can write; tarmac never follows such a link" "$3"
  fi
  t_fail "$1:$2" "the directory of #$2 is missing or not a directory" "$3"
}
t_gone() {
  t_g=$1 t_o=0; shift
  for t_n do
    [ -e "$t_n" ] || [ -h "$t_n" ] || printf '@step gone:%s.%s ok\n' "$t_g" "$t_o" >&3
    t_o=$((t_o + 1))
  done
}
t_empty() { for t_e in "$1"/* "$1"/.[!.]* "$1"/..?*; do if [ -e "$t_e" ] || [ -h "$t_e" ]; then return 1; fi; done; }
t_remove_in() {
  t_g=$1 t_i=$2; shift 2
  t_in "$1"
  case $? in
  0) ;;
  1) printf '@step removed:%s ok\n' "$t_g" >&3; return 0 ;;
  *) t_note "the directory of the previous install's path #$t_i is reached through a symlink (or moved) in a directory a non-root user can write; tarmac never follows it, and leaves what is there"
     printf '@step removed:%s ok\n' "$t_g" >&3; return 0 ;;
  esac
  shift
  rm -f -d -- "$@" 2>"$t_errf" && { printf '@step removed:%s ok\n' "$t_g" >&3; return 0; }
  for t_n do
    if [ -h "$t_n" ] || { [ -e "$t_n" ] && { [ ! -d "$t_n" ] || t_empty "$t_n"; }; }; then
      t_gone "$t_g" "$@"
      t_fail "remove:$t_i" "cannot remove paths from #$t_i on of the previous install" "$(cat -- "$t_errf")"
    fi
  done
  printf '@step removed:%s ok\n' "$t_g" >&3
}
t_unlabel() { semanage fcontext -d -- "$1" >/dev/null 2>&1 || :; }
t_mkdirs() {
  t_i=$1; shift
  for t_n do if [ -e "$t_n" ] || [ -h "$t_n" ]; then return 1; fi; done
  mkdir -m 0755 -- "$@" 2>"$t_errf" && return 0
  t_err=$(cat -- "$t_errf")
  if t_disk_full "$t_err"; then t_fail "mkdir:$t_i" "the disk is full: cannot create directories from #$t_i on" "$t_err"; fi
  t_fail "mkdir:$t_i" "cannot create directories from #$t_i on" "$t_err"
}
t_mkdir() {
  mkdir -m 0755 -- "./$2" 2>"$t_errf" && return 0
  if [ -h "./$2" ]; then
    t_fail "mkdir:$1" "a symlink is where directory #$1 must go; tarmac never follows it: remove it" "$PWD/$2"
  fi
  if [ -d "./$2" ]; then return 1; fi
  t_fail "mkdir:$1" "cannot create directory #$1" "$(cat -- "$t_errf")"
}
t_stage=
t_stage_in() {
  t_dir=${PWD%/}
  t_stage=$(mktemp -d -p . .tarmac-XXXXXXXXXX 2>"$t_errf") || t_fail "$1:$2" "cannot make a staging directory for #$2" "$(cat -- "$t_errf")"
  t_stage=${t_stage#./}
  cd -P -- "./$t_stage" && [ "$PWD" = "$t_dir/$t_stage" ] && [ -O . ] ||
    t_fail "$1:$2" "the staging directory for #$2 was replaced while Install ran" "$t_dir"
}
t_abort() {
  if [ -n "$t_stage" ]; then cd -P .. && rm -rf -- "./$t_stage"; t_stage=; fi
  t_fail "$@"
}
t_put_failed() {
  if t_disk_full "$t_err"; then t_abort "copy:$1" "the disk is full: cannot copy files from #$1 on" "$t_err"; fi
  t_abort "copy:$1" "cannot copy files from #$1 on" "$t_err"
}
t_put() {
  t_i=$1 t_m=$2; shift 2
  t_err=$(install -p -m "$t_m" -t . -- "$@" 2>&1) || t_put_failed "$t_i"
}
t_put_as() { t_err=$(install -p -m "$2" -- "$t_archive/$3" "./$4" 2>&1) || t_put_failed "$1"; }
t_put_link() { t_err=$(ln -s -- "$2" "./$3" 2>&1) || t_put_failed "$1"; }
t_unplace() {
  [ ! -d "../$2" ] || [ -h "../$2" ] || rmdir -- "../$2" 2>/dev/null ||
    t_abort "copy:$1" "a non-empty directory is where file #$1 must go" "$t_dir/$2"
}
t_stage_out() {
  t_g=$1 t_i=$2; shift 2
  if ! mv -f -t .. -- "$@" 2>"$t_errf"; then
    t_err=$(cat -- "$t_errf") t_o=0
    for t_n do
      [ -e "./$t_n" ] || [ -h "./$t_n" ] || printf '@step put:%s.%s ok\n' "$t_g" "$t_o" >&3
      t_o=$((t_o + 1))
    done
    t_abort "copy:$t_i" "cannot move files from #$t_i on into place" "$t_err"
  fi
  printf '@step placed:%s ok\n' "$t_g" >&3
  cd -P .. && rmdir -- "./$t_stage" 2>/dev/null || t_note "a staging directory of Install could not be removed (files from #$t_i on)"
  t_stage=
}
t_fresh=' '
t_mark() { t_fresh="$t_fresh$1 "; }
t_marked() { case $t_fresh in *" $1 "*) return 0 ;; esac; return 1; }
t_absent() {
  t_enter copy "$1" "$2"
  ! [ -e "./$3" ] && ! [ -h "./$3" ]
}
t_tree() {
  t_i=$1; shift
  mkdir -m 0755 -- "$@" 2>"$t_errf" || t_abort "mkdir:$t_i" "cannot create directories from #$t_i on" "$(cat -- "$t_errf")"
}
t_tree_copy() {
  t_i=$1 t_s=$2 t_r=$3; shift 3
  t_err=$(tar -C "$t_archive/$t_s" --hard-dereference -cf - -- "$@" | tar --no-same-owner -C "./$t_r" -xf - 2>&1) ||
    t_put_failed "$t_i"
}
t_tree_modes() {
  t_i=$1 t_m=$2; shift 2
  t_err=$(chmod "$t_m" -- "$@" 2>&1) || t_abort "copy:$t_i" "cannot set the mode of files from #$t_i on" "$t_err"
}
t_tree_out() {
  t_g=$1 t_i=$2
  if ! mv -T -- "./$3" "../$3" 2>"$t_errf"; then
    if [ -h "../$3" ]; then
      t_abort "mkdir:$t_i" "a symlink is where directory #$t_i must go; tarmac never follows it: remove it" "$t_dir/$3"
    fi
    t_abort "mkdir:$t_i" "something is where directory #$t_i must go (made while Install ran)" "$(cat -- "$t_errf")"
  fi
  printf '@step tree:%s ok\n' "$t_g" >&3
  cd -P .. && rmdir -- "./$t_stage" 2>/dev/null || t_note "a staging directory of Install could not be removed (directory #$t_i)"
  t_stage=
}
t_perm_in() {
  t_enter permission "$1" "$2"
  t_pn=$3
  if [ -h "./$3" ]; then t_perm_link "$1"; return 1; fi
  [ -e "./$3" ] || t_fail "permission:$1" "permission entry #$1 names a path that does not exist" "$2/$3"
  t_stage_in permission "$1"
  mv -T -- "../$3" "./$3" 2>"$t_errf" || t_abort "permission:$1" "cannot stage the path of permission entry #$1" "$(cat -- "$t_errf")"
  if [ -h "./$3" ]; then t_perm_out "$1"; t_perm_link "$1"; return 1; fi
  [ -d "./$3" ] || [ "$(stat -c %h -- "./$3")" = 1 ] ||
    t_perm_fail "permission:$1" "the path of permission entry #$1 was replaced by a hard link while Install ran; tarmac does not change it" "$2/$3"
}
t_perm_link() { t_note "permission entry #$1 names a symlink; tarmac never changes permissions through a link; skipped"; }
t_perm_fail() { mv -T -- "./$t_pn" "../$t_pn" 2>/dev/null; t_abort "$@"; }
t_perm_out() {
  mv -T -- "./$t_pn" "../$t_pn" 2>"$t_errf" || t_abort "permission:$1" "cannot put back the path of permission entry #$1" "$(cat -- "$t_errf")"
  cd -P .. && rmdir -- "./$t_stage" 2>/dev/null || t_note "a staging directory of Install could not be removed (permission entry #$1)"
  t_stage=
}
t_chown() { t_err=$(chown -h -- "$2" "$3" 2>&1) || t_perm_fail "chown:$1" "chown failed on permission entry #$1" "$t_err"; }
t_chgrp() { t_err=$(chgrp -h -- "$2" "$3" 2>&1) || t_perm_fail "chgrp:$1" "chgrp failed on permission entry #$1" "$t_err"; }
t_chmod() { t_err=$(chmod "$2" "$3" 2>&1) || t_perm_fail "chmod:$1" "chmod failed on permission entry #$1" "$t_err"; }
t_setfacl() { t_err=$(setfacl --set "$2" -- "$3" 2>&1) || t_perm_fail "setfacl:$1" "setfacl failed on permission entry #$1" "$t_err"; }
t_label() {
  t_i=$1 t_p=$2; shift 2
  semanage fcontext -a "$@" -- "$t_p" >/dev/null 2>&1 || t_err=$(semanage fcontext -m "$@" -- "$t_p" 2>&1) ||
    t_fail "selinux:$t_i" "semanage fcontext failed on permission entry #$t_i" "$t_err"
  t_err=$(restorecon -F -- "./$t_pn" 2>&1) || t_fail "selinux:$t_i" "restorecon failed on permission entry #$t_i" "$t_err"
}
t_keep_check() {
  t_i=$1 t_want=$3
  t_enter keep "$1" "$2"
  shift 3
  [ "$(stat -c '%d:%i:%h:%u:%g:%f:%s:%.9Z' -- "$@" 2>/dev/null)" = "$t_want" ] ||
    t_fail "keep:$t_i" "a file or directory from #$t_i on, unchanged when the host was probed, has changed since; nothing was changed: run the deployment again" "$PWD"
}
t_nl=$(printf '\n.'); t_nl=${t_nl%.}
t_sr= t_srd= t_srs= t_sok= t_sv= t_sdb= t_sacc= t_sdig=
t_srec_open() {
  t_sr=$(mktemp -- "$1" 2>/dev/null) && t_srd=$(mktemp -- "$1" 2>/dev/null) &&
    t_srs=$(mktemp -- "$1" 2>/dev/null) || t_srec_drop
}
t_srec_drop() { rm -f -- ${t_sr:+"$t_sr"} ${t_srd:+"$t_srd"} ${t_srs:+"$t_srs"}; t_sr=; }
t_srec_dirs() {
  t_sv=
  [ $# -gt 0 ] || return 0
  t_sv=$(stat -c '%A:%u:%d:%i:%.9Z' -- "$@" 2>/dev/null) || return 1
  t_sifs=$IFS; IFS=$t_nl; t_sbad=
  for t_l in $t_sv; do
    case $t_l in d????[!w]??[!w]?:0:* | d????[!w]??[!w]?:"$t_uid":*) ;; *) t_sbad=1 ;; esac
  done
  IFS=$t_sifs
  [ -z "$t_sbad" ]
}
t_srec_in() {
  t_sok= t_sacc= t_sdig=
  [ -n "$t_sr" ] && t_in "$1" || return 0
  shift
  t_srec_dirs "$@" || return 0
  t_sdb=$t_sv t_sok=1
}
t_srec() {
  [ -n "$t_sok" ] || return 0
  t_sd=$1; shift
  t_so=$(stat -c '%d:%i:%h:%u:%g:%f:%s:%.9Z' -- "$@" 2>/dev/null) || return 0
  t_sacc=$t_sacc$t_so$t_nl t_sdig="$t_sdig $t_sd"
}
t_srec_known() {
  [ -n "$t_sr" ] || return 0
  t_sd=$1; shift
  printf '%s\n' $t_sd >> "$t_srd" && printf '%s\n' "$@" >> "$t_srs" || t_srec_drop
}
t_srec_out() {
  [ -n "$t_sok" ] || return 0
  t_sok=
  t_srec_dirs "$@" && [ "$t_sv" = "$t_sdb" ] && [ -n "$t_sacc" ] || return 0
  printf '%s\n' $t_sdig >> "$t_srd" && printf '%s' "$t_sacc" >> "$t_srs" || t_srec_drop
}
t_srec_close() {
  [ -n "$t_sr" ] || return 0
  if { printf '%s\n' 'tarmac-install-stat 1' && paste -d ' ' -- "$t_srd" "$t_srs"; } > "$t_sr" &&
    t_sf=$(stat -c %.9Z -- "$t_sr") && printf 'fence %s\n' "$t_sf" >> "$t_sr" &&
    mv -fT -- "$t_sr" "$1"; then t_sr=; fi
  t_srec_drop
}
t_let t_archive '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive'
t_let t_cleanup '/var/lib/tarmac/deployment-instructions/g-web-cleanup'
t_let t_errf '/var/lib/tarmac/g-web/d-20260101-1/logs/install.stderr'
mkdir -p -- '/var/lib/tarmac/deployment-instructions' '/var/lib/tarmac/g-web/d-20260101-1/logs' || t_fail instructions 'cannot create deployment-instructions or the deployment'\''s logs' '/var/lib/tarmac/deployment-instructions'
# The previous install: 2 paths, 1 SELinux rules.
t_remove_in 0 0 '/srv/app' './old.txt'
t_remove_in 1 1 '/srv' './app'
t_unlabel '/srv/app/old.txt'
printf '@step cleanup:%s ok\n' 2 >&3
rm -f -- "$t_cleanup" && : > "$t_cleanup" || t_fail cleanup-file 'cannot replace the cleanup file' "$t_cleanup"
# Files: 12 steps.
t_enter mkdir 0 '/srv'
if t_mkdirs 0 './app' ; then
  t_records '/srv/app'
else
  t_mkdir 0 'app' && t_record '/srv/app'
fi
printf '@step made:%s ok\n' '0' >&3
t_enter mkdir 1 '/srv/app'
if t_mkdirs 1 './bin' ; then
  t_records '/srv/app/bin'
else
  t_mkdir 1 'bin' && t_record '/srv/app/bin'
fi
printf '@step made:%s ok\n' '1' >&3
t_records '/srv/tools' '/srv/tools/lib' '/srv/app/bin/run me' '/srv/app/it'\''s $(odd)'
t_record_escaped '/srv/app/new\nline'
t_records '/srv/app/run' '/srv/tools/lib/x.sh' '/srv/tools/README' '/srv/tools/x'
t_enter copy 7 '/srv'
t_stage_in copy 7
t_tree 7 './tools' './tools/lib'
t_tree_copy 9 'tools' 'tools' 'lib/x.sh' 'README'
t_tree_modes 9 '00755' './tools/lib/x.sh'
t_tree_modes 10 '00644' './tools/README'
t_put_link 11 'lib/x.sh' 'tools/x'
t_tree_out 0 7 'tools'
t_enter copy 2 '/srv/app/bin'
t_stage_in copy 2
t_put 2 '00755' '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive/bin/run me'
t_stage_out '0' 2 'run me'
t_enter copy 3 '/srv/app'
t_stage_in copy 3
t_put_link 5 'bin/run me' 'run'
t_put 3 '00644' '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive/it'\''s $(odd)' '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive/new
line'
t_stage_out '1' 3 'it'\''s $(odd)' 'new
line' 'run'
printf '@step files:%s/%s ok\n' 12 12 >&3
# Permissions: 1 paths.
if t_perm_in 0 '/srv/app/bin' 'run me' ; then
  t_chown 0 'www-data:www-data' './run me'
  t_chmod 0 '04750' './run me'
  t_setfacl 0 'user::rwx,user:deploy:r-x,group::r-x,mask::r-x,other::---' './run me'
  t_perm_out 0
  t_record_label '/srv/app/bin/run me'
  t_label 0 '/srv/app/bin/run me' -t 'httpd_sys_content_t'
fi
printf '@step permissions:%s ok\n' 1 >&3
# What Install left, by stat, for the next deployment: 3 files.
t_srec_open '/var/lib/tarmac/deployment-instructions/.g-web_install_stat.XXXXXX'
t_srec_in '/srv' './app' './app/bin' './tools' './tools/lib'
t_srec '0000000000000000000000000000000000000000000000000000000000000000 1111111111111111111111111111111111111111111111111111111111111111 2222222222222222222222222222222222222222222222222222222222222222' './app/bin/run me' './app/it'\''s $(odd)' './tools/lib/x.sh'
t_srec_out './app' './app/bin' './tools' './tools/lib'
t_srec_close '/var/lib/tarmac/deployment-instructions/g-web_install_stat'
cd /
t_tmp=$(mktemp -- '/var/lib/tarmac/deployment-instructions/.g-web_last_successful_install.XXXXXX' ) && printf '%s' '/var/lib/tarmac/g-web/d-20260101-1' > "$t_tmp" && mv -fT -- "$t_tmp" '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' || { rm -f -- ${t_tmp:+"$t_tmp"} ; t_fail last-successful 'could not write last-successful' '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' ; }
printf '@done 0\n' >&3
