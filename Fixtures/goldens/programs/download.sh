# tarmac: download and unpack the bundle of deployment d-20260101-1
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
t_purge() { rm -rf -- "$2" || t_fail "retention:$1" "cannot delete old deployment directory #$1" "$2"; }
t_write_failed() {
  rm -f -- "$t_bundle"
  if t_disk_full "$1"; then t_fail bundle "no space left on device (the disk is full) while writing $t_bundle" "$1"; fi
  t_fail bundle 'bundle.tar could not be written' "$1"
}
t_short_write() { case $1 in *'Wrote only '*' of '*' bytes'*) return 0 ;; esac; return 1; }
t_short() {
  rm -f -- "$t_bundle"
  t_fail bundle "the bundle stream ended early: expected $1 bytes, got $t_size"
}
t_verify() {
  t_sum=$(sha256sum < "$t_bundle") || t_fail verify 'sha256sum failed on bundle.tar'
  t_sum=${t_sum%% *}
  if [ "$t_sum" != "$1" ]; then
    rm -f -- "$t_bundle"
    t_fail verify "bundle.tar does not match: expected sha256 $1, got $t_sum; the partial bundle was removed"
  fi
  printf '@step verify ok\n' >&3
}
t_exec() {
  for t_p do
    [ -f "$t_p" ] && [ ! -L "$t_p" ] && [ ! -x "$t_p" ] || continue
    if [ "$(stat -c %h -- "$t_p")" != 1 ]; then
      t_t=$(mktemp -- "$t_p.XXXXXX") && cp -p -- "$t_p" "$t_t" && mv -f -- "$t_t" "$t_p" ||
        t_fail unpack 'cannot make a hook script executable' "$t_p"
    fi
    chmod a+x -- "$t_p" || t_fail unpack 'cannot make a hook script executable' "$t_p"
    t_p=$(printf '%s' "${t_p#./}" | tr '\001-\037\177' '[?*]')
    t_note "Script at specified location: $t_p is not executable; made it executable (chmod a+x)"
  done
}
t_unpack() {
  rm -rf -- "$t_archive" && mkdir -m 0700 -- "$t_archive" || t_fail unpack 'cannot wipe deployment-archive' "$t_archive"
  if ! t_err=$(tar -x -p --no-same-owner -f "$t_bundle" -C "$t_archive" 2>&1); then
    rm -rf -- "$t_archive"
    if t_disk_full "$t_err" || t_short_write "$t_err"; then t_fail unpack "no space left on device (the disk is full) while unpacking into $t_archive ($t_need bytes needed)" "$t_err"; fi
    t_fail unpack 'tar could not unpack bundle.tar' "$t_err"
  fi
#   Whatever modes the bundle has: nothing writable by others, no setuid or setgid, closed to all but root.
  find "$t_archive" ! -type l -perm /6022 -exec chmod go-w,ug-s -- {} + &&
    chmod 0700 -- "$t_archive" ||
    t_fail unpack 'cannot set the modes of deployment-archive' "$t_archive"
  printf '@step unpack ok\n' >&3
}
t_sha_of() {
  t_sha=
  [ -f "$1" ] && [ ! -L "$1" ] || return 0
  t_sha=$(head -c 65 -- "$1") || t_sha=
  case ${#t_sha}:$t_sha in 64:*) ;; 65:*' ') t_sha=${t_sha%' '} ;; *) t_sha= ;; esac
  case $t_sha in *[!0-9a-f]*) t_sha= ;; esac
}
# t_stat_add PATH…: appends the record lines of the paths to $t_out.
t_stat_add() { stat -c '%i %s %.9Y %.9Z %a %u %g' -- "$@" >> "$t_out" || t_stat_bad=1; }
t_record_begin() {
  t_out= t_stat_bad=
  rm -f -- "$t_record"
  t_sha_of "$t_archive/.tarmac/manifest.sha256"
  [ -n "$t_sha" ] && cd -- "$t_archive" || { t_stat_bad=1; t_out=/dev/null; return 0; }
  t_out=$(mktemp -- "$t_dir/.archive.stat.XXXXXX") ||
    t_fail archive-stat 'could not write the archive stat record' "$t_record"
  printf '%s %s\n' 'tarmac-archive-stat 1' "$t_sha" > "$t_out" || t_stat_bad=1
}
t_record_end() {
  cd /
  [ "$t_out" != /dev/null ] || return 0
  if [ -n "$t_stat_bad" ]; then rm -f -- "$t_out"; return 0; fi
  mv -fT -- "$t_out" "$t_record" || { rm -f -- "$t_out";
    t_fail archive-stat 'could not write the archive stat record' "$t_record"; }
}
t_let t_need '0'
t_let t_dir '/var/lib/tarmac/g-web/d-20260101-1'
t_let t_bundle '/var/lib/tarmac/g-web/d-20260101-1/bundle.tar'
t_let t_archive '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive'
t_let t_record '/var/lib/tarmac/g-web/d-20260101-1/archive.stat'
# Closed while the bundle is unpacked; bundle.tar, logs and records are private.
mkdir -p -- "$t_dir/logs" && chmod 0700 -- "$t_dir" "$t_dir/logs" || t_fail directories 'cannot create the deployment directory' "$t_dir"
umask 077
# Retention (§4.9): old deployment directories, oldest first.
t_purge 0 '/var/lib/tarmac/g-web/d-20251201-1'
printf '@step retention ok\n' >&3
rm -f -- "$t_bundle"
t_err=$(head -c 10240 2>&1 > "$t_bundle") || t_write_failed "$t_err"
t_size=$(wc -c < "$t_bundle" | tr -d ' ')
[ "$t_size" = 10240 ] || t_short 10240
printf '@step bundle ok\n' >&3
t_verify '0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f'
t_unpack
cd -- "$t_archive" || t_fail unpack 'cannot enter deployment-archive' "$t_archive"
# Hook scripts executable now, never a file shared with another archive.
t_exec './scripts/start.sh'
# The archive stat record: one stat per batch of regular files, in manifest order.
t_record_begin
t_stat_add './appspec.yml' './scripts/start.sh' './it'\''s a "file"
'
t_record_end
rm -f -- "$t_bundle"
# Others may pass through to the archive, which only root and runas users may enter.
chmod 0711 -- "$t_dir" || t_fail directories 'cannot open the deployment directory' "$t_dir"
mkdir -p -- '/var/lib/tarmac/deployment-instructions' || t_fail bookkeeping 'cannot create deployment-instructions' '/var/lib/tarmac/deployment-instructions'
t_tmp=$(mktemp -- '/var/lib/tarmac/deployment-instructions/.g-web_most_recent_install.XXXXXX' ) && printf '%s' '/var/lib/tarmac/g-web/d-20260101-1' > "$t_tmp" && mv -fT -- "$t_tmp" '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' || { rm -f -- ${t_tmp:+"$t_tmp"} ; t_fail most-recent 'could not write most-recent' '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' ; }
printf '@done 0\n' >&3
