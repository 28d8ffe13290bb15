# tarmac: install deployment d-20260101-1 of group g-web
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
t_append() { printf "$1" "$2" >> "$t_cleanup" || t_fail cleanup-file 'cannot append to the cleanup file' "$t_cleanup"; }
t_record() { t_append '%s\n' "$1"; }
t_record_escaped() { t_append 'escaped\000%s\n' "$1"; }
t_record_label() { t_append 'semanage\000%s\n' "$1"; }
t_remove_batch() {
  t_i=$1; shift
  t_err=$(for t_p; do if [ -L "$t_p" ] || { [ -e "$t_p" ] && [ ! -d "$t_p" ]; }; then printf '%s\0' "$t_p"; fi; done |
    xargs -0 -r rm -f -- 2>&1) ||
    t_fail "remove:$t_i" "cannot remove paths from #$t_i on of the previous install" "$t_err"
  for t_p; do
    if [ -d "$t_p" ] && [ ! -L "$t_p" ]; then
      rmdir -- "$t_p" 2>/dev/null || [ -n "$(ls -A -- "$t_p" 2>/dev/null)" ] ||
        t_fail "remove:$t_i" "cannot remove a directory of the previous install (from #$t_i on)" "$t_p"
    fi
  done
}
t_unlabel() { semanage fcontext -d -- "$1" >/dev/null 2>&1 || :; }
t_mkdir_batch() {
  t_i=$1; shift
  for t_p; do if [ -e "$t_p" ] || [ -L "$t_p" ]; then return 1; fi; done
  mkdir -m 0755 -- "$@" 2>"$t_errf" && return 0
  t_err=$(cat -- "$t_errf")
  if t_disk_full "$t_err"; then t_fail "mkdir:$t_i" "the disk is full: cannot create directories from #$t_i on" "$t_err"; fi
  t_fail "mkdir:$t_i" "cannot create directories from #$t_i on" "$t_err"
}
t_mkdir() {
  mkdir -m 0755 -- "$2" 2>"$t_errf" && return 0
  if [ -d "$2" ] && [ ! -L "$2" ]; then return 1; fi
  t_fail "mkdir:$1" "cannot create directory #$1" "$(cat -- "$t_errf")"
}
t_unplace() {
  [ ! -d "$2" ] || [ -L "$2" ] || rmdir -- "$2" ||
    t_fail "copy:$1" "a non-empty directory is where file #$1 must go" "$2"
}
t_placed() {
  [ "$1" -eq 0 ] && return 0
  rm -f -- "$4"
  if t_disk_full "$t_err"; then t_fail "$2" "the disk is full: cannot place file #$3" "$t_err"; fi
  t_fail "$2" "cannot place file #$3" "$t_err"
}
t_copy() {
  rm -f -- "$4"
  t_err=$(cp -pT -- "$t_archive/$2" "$4" 2>&1 && chmod "$5" "$4" 2>&1 && mv -Tf -- "$4" "$3" 2>&1)
  t_placed "$?" "copy:$1" "$1" "$4"
}
t_copy_batch() {
  t_i=$1; t_s=$2; t_d=$3; shift 3
  (cd -- "$t_archive/$t_s" && cp -p --parents -t "$t_d" -- "$@") 2>"$t_errf" && return 0
  t_err=$(cat -- "$t_errf")
  if t_disk_full "$t_err"; then t_fail "copy:$t_i" "the disk is full: cannot copy files from #$t_i on" "$t_err"; fi
  t_fail "copy:$t_i" "cannot copy files from #$t_i on" "$t_err"
}
t_chmod_batch() {
  t_i=$1; t_m=$2; shift 2
  chmod "$t_m" -- "$@" 2>"$t_errf" || t_fail "copy:$t_i" "cannot set the mode of files from #$t_i on" "$(cat -- "$t_errf")"
}
t_link() {
  rm -f -- "$4"
  t_err=$(ln -s -- "$2" "$4" 2>&1 && mv -Tf -- "$4" "$3" 2>&1)
  t_placed "$?" "link:$1" "$1" "$4"
}
t_perm() {
  if [ -L "$2" ]; then
    t_note "permission entry #$1 names a symlink; tarmac never changes permissions through a link; skipped"
    return 1
  fi
  [ -e "$2" ] || t_fail "permission:$1" "permission entry #$1 names a path that does not exist" "$2"
}
t_chown() { t_err=$(chown -- "$2" "$3" 2>&1) || t_fail "chown:$1" "chown failed on permission entry #$1" "$t_err"; }
t_chgrp() { t_err=$(chgrp -- "$2" "$3" 2>&1) || t_fail "chgrp:$1" "chgrp failed on permission entry #$1" "$t_err"; }
t_chmod() { t_err=$(chmod "$2" "$3" 2>&1) || t_fail "chmod:$1" "chmod failed on permission entry #$1" "$t_err"; }
t_setfacl() { t_err=$(setfacl --set "$2" -- "$3" 2>&1) || t_fail "setfacl:$1" "setfacl failed on permission entry #$1" "$t_err"; }
t_label() {
  t_i=$1 t_p=$2; shift 2
  semanage fcontext -a "$@" -- "$t_p" >/dev/null 2>&1 || t_err=$(semanage fcontext -m "$@" -- "$t_p" 2>&1) ||
    t_fail "selinux:$t_i" "semanage fcontext failed on permission entry #$t_i" "$t_err"
  t_err=$(restorecon -F -- "$t_p" 2>&1) || t_fail "selinux:$t_i" "restorecon failed on permission entry #$t_i" "$t_err"
}
t_let t_archive '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive'
t_let t_cleanup '/var/lib/tarmac/deployment-instructions/g-web-cleanup'
t_let t_errf '/var/lib/tarmac/g-web/d-20260101-1/logs/install.stderr'
mkdir -p -- '/var/lib/tarmac/deployment-instructions' '/var/lib/tarmac/g-web/d-20260101-1/logs' || t_fail instructions 'cannot create deployment-instructions or the deployment'\''s logs' '/var/lib/tarmac/deployment-instructions'
# The previous install: 2 paths, 1 SELinux rules.
t_remove_batch 0 '/srv/app/old.txt' '/srv/app'
t_unlabel '/srv/app/old.txt'
printf '@step cleanup:%s ok\n' 2 >&3
rm -f -- "$t_cleanup" && : > "$t_cleanup" || t_fail cleanup-file 'cannot replace the cleanup file' "$t_cleanup"
# Files: 7 steps.
if t_mkdir_batch 0 '/srv/app' '/srv/app/bin' ; then
  t_record '/srv/app'
  t_record '/srv/app/bin'
else
  t_mkdir 0 '/srv/app' && t_record '/srv/app'
  t_mkdir 1 '/srv/app/bin' && t_record '/srv/app/bin'
fi
t_record '/srv/app/bin/run me'
t_copy_batch 2 '' '/srv/app' 'bin/run me'
t_chmod_batch 2 '00755' '/srv/app/bin/run me'
t_record '/srv/app/it'\''s $(odd)'
t_copy 3 'it'\''s $(odd)' '/srv/app/it'\''s $(odd)' '/srv/app/.it'\''s $(odd).tarmac-tmp.d-20260101-1' '00644'
t_record_escaped '/srv/app/new\nline'
t_copy_batch 4 '' '/srv/app' 'new
line'
t_chmod_batch 4 '00644' '/srv/app/new
line'
t_record '/srv/app/run'
t_link 5 'bin/run me' '/srv/app/run' '/srv/app/.run.tarmac-tmp.d-20260101-1'
printf '@step files:%s/%s ok\n' 7 7 >&3
# Permissions: 1 paths.
if t_perm 0 '/srv/app/bin/run me' ; then
  t_chown 0 'www-data:www-data' '/srv/app/bin/run me'
  t_chmod 0 '04750' '/srv/app/bin/run me'
  t_setfacl 0 'user::rwx,user:deploy:r-x,group::r-x,mask::r-x,other::---' '/srv/app/bin/run me'
  t_record_label '/srv/app/bin/run me'
  t_label 0 '/srv/app/bin/run me' -t 'httpd_sys_content_t'
fi
printf '@step permissions:%s ok\n' 1 >&3
t_tmp=$(mktemp -- '/var/lib/tarmac/deployment-instructions/.g-web_last_successful_install.XXXXXX' ) && printf '%s' '/var/lib/tarmac/g-web/d-20260101-1' > "$t_tmp" && mv -fT -- "$t_tmp" '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' || { rm -f -- ${t_tmp:+"$t_tmp"} ; t_fail last-successful 'could not write last-successful' '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' ; }
printf '@done 0\n' >&3
