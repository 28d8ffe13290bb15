# tarmac: download the delta of deployment d-20260102-1 and rebuild its archive from the base
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
t_let t_need '4096'
t_let t_dir '/var/lib/tarmac/g-web/d-20260102-1'
t_let t_bundle '/var/lib/tarmac/g-web/d-20260102-1/bundle.tar'
t_let t_archive '/var/lib/tarmac/g-web/d-20260102-1/deployment-archive'
t_let t_record '/var/lib/tarmac/g-web/d-20260102-1/archive.stat'
# Closed while the bundle is unpacked; bundle.tar, logs and records are private.
mkdir -p -- "$t_dir/logs" && chmod 0700 -- "$t_dir" "$t_dir/logs" || t_fail directories 'cannot create the deployment directory' "$t_dir"
umask 077
t_uid=$(id -u) t_linked= t_tmpd=
# t_fallback REASON: one line without control characters; the archive begun is removed.
t_fallback() {
  t_why=$(printf '%s' "$1" | tr '\001-\037\177' '[?*]' | cut -c 1-600)
  cd /
  rm -rf -- "$t_archive"
  [ -z "$t_linked" ] || t_rebase
  [ -z "$t_drop_bundle" ] || rm -f -- "$t_bundle"
  [ -z "$t_tmpd" ] || rm -rf -- "$t_tmpd"
  printf '@fallback %s\n' "$t_why" >&3
  printf '@done 1\n' >&3
  exit 1
}
t_scratch() {
  t_tmpd=$(mktemp -d -- "$t_dir/.delta.XXXXXX") ||
    t_fail base 'cannot create a scratch directory' "$t_dir"
}
t_first_diff() {
  t_line=0
  cmp -s -- "$1" "$2" && return 0
  t_line=1
  { t_line=0
    while :; do
      t_line=$((t_line + 1)) t_ea= t_eb=
      IFS= read -r t_a <&4 || t_ea=1
      IFS= read -r t_b <&5 || t_eb=1
      [ -z "$t_ea$t_eb" ] || break
      [ "$t_a" = "$t_b" ] || break
    done; } 4< "$1" 5< "$2"
}
t_pick_add() { for t_p do t_k=$((t_k + 1)); [ "$t_k" -ne "$t_want" ] || t_picked=${t_p#./}; done; }
t_pick() { t_want=$2 t_k=0 t_picked=; "$1" t_pick_add; }
t_expect() {
  printf '%s' "$1" > "$t_tmpd/want" && : > "$t_tmpd/got" ||
    t_fail unpack 'cannot write a scratch file' "$t_tmpd"
  t_out=$t_tmpd/got
}
t_base_check() {
  [ -d "$t_base_archive" ] && [ ! -L "$t_base" ] && [ ! -L "$t_base_archive" ] ||
    t_fallback 'the base deployment directory or its deployment-archive is gone'
  [ -e "$t_base_record" ] || [ -L "$t_base_record" ] ||
    t_fallback 'the base has no archive stat record (archive.stat)'
  t_st=$(stat -c '%u %A' -- "$t_base_record") || t_fallback 'cannot stat the base archive stat record'
  case $t_st in
    "$t_uid "-????[!w]??[!w]?) ;;
    *) t_fallback "the base archive stat record is not a regular file of uid $t_uid that no one else can write (uid and mode: $t_st)" ;;
  esac
  cd -- "$t_base_archive" || t_fallback 'cannot enter the base deployment-archive'
  t_out=$t_tmpd/base t_stat_bad=
  printf '%s %s\n' 'tarmac-archive-stat 1' "$t_base_sha" > "$t_out" ||
    t_fail base 'cannot write a scratch file' "$t_out"
  t_base_files t_stat_add
  cd /
  t_first_diff "$t_base_record" "$t_out"
  [ "$t_line" -ne 0 ] || { printf '@step base ok\n' >&3; return 0; }
  [ "$t_line" -ne 1 ] || t_fallback 'the base archive stat record is of another manifest than the one the delta was made from'
  [ "$t_line" -le $((t_base_count + 1)) ] ||
    t_fallback 'the base archive stat record lists more files than the base manifest'
  t_pick t_base_files $((t_line - 1))
  t_fallback "base file $t_picked changed since its archive stat record was written (written in place, replaced, removed or its mode changed)"
}
t_link() {
  rm -rf -- "$t_archive" && mkdir -m 0700 -- "$t_archive" ||
    t_fail unpack 'cannot wipe deployment-archive' "$t_archive"
  t_linked=1
  t_err=$(cp -al -- "$t_base_archive/." "$t_archive/" 2>&1) ||
    t_fallback "cannot link the base archive's files: $t_err"
  cd -- "$t_archive" && rm -rf -- ./.tarmac ||
    t_fallback 'cannot remove the base manifest from the linked copy'
}
t_remove() { rm -f -- "$@" || t_fallback 'cannot remove the files the target changes from the linked copy'; }
t_rmdir() { rmdir -- "$@" || t_fallback 'a directory the target drops holds files the base manifest does not list'; }
t_extract() {
  t_err=$(tar -x -p --no-same-owner -f "$t_bundle" -C "$t_archive" 2>&1) && return 0
  if t_disk_full "$t_err" || t_short_write "$t_err"; then
    t_fallback "no space left on device while unpacking the delta ($t_need bytes needed): $t_err"
  fi
  t_fallback "tar could not unpack the delta over the base's files: $t_err"
}
# Only new inodes: the delta's files (-prune: a path is never descended), directories, .tarmac.
t_modes() {
  find "$@" -prune -type f -perm /6022 -exec chmod go-w,ug-s -- {} + ||
    t_fallback "cannot set the modes of the delta's files"
}
t_modes_rest() {
  { [ ! -d ./.tarmac ] || find ./.tarmac -type f -perm /6022 -exec chmod go-w,ug-s -- {} +; } &&
    chmod 0700 -- "$t_archive" || t_fallback 'cannot set the modes of the rebuilt archive'
}
t_rebase() {
  t_linked=
  cd -- "$t_base_archive" && t_out=$(mktemp -- "$t_base/.archive.stat.XXXXXX") || { cd /; return 0; }
  t_stat_bad=
  printf '%s %s\n' 'tarmac-archive-stat 1' "$t_base_sha" > "$t_out" || t_stat_bad=1
  t_base_files t_stat_add
  cd /
  if [ -z "$t_stat_bad" ] && cut -d ' ' -f 1-3,5- < "$t_out" > "$t_tmpd/now" &&
    cut -d ' ' -f 1-3,5- < "$t_tmpd/base" > "$t_tmpd/then" && cmp -s -- "$t_tmpd/now" "$t_tmpd/then" &&
    mv -fT -- "$t_out" "$t_base_record"; then return 0; fi
  rm -f -- "$t_out"
}
# sha256sum escapes an odd name with a leading backslash: only the 64 digits are kept.
t_sum_add() { sha256sum -- "$@" | sed 's/^\\//' | cut -c 1-64 >> "$t_out"; }
# One stat of the target's files gives both the kinds checked and the archive stat record.
t_both_add() { stat -c '%f %s %i %s %.9Y %.9Z %a %u %g' -- "$@" >> "$t_tmpd/both"; }
t_check_sent() {
  t_first_diff "$t_tmpd/want" "$t_tmpd/got"
  [ "$t_line" -ne 0 ] || return 0
  t_pick t_sent_files "$t_line"
  t_fallback "the delta's file $t_picked does not have the SHA-256 the target manifest names"
}
t_check_kinds() {
  cut -d ' ' -f 1-2 < "$t_tmpd/both" > "$t_tmpd/got" ||
    t_fail unpack 'cannot write a scratch file' "$t_tmpd"
  t_first_diff "$t_tmpd/want" "$t_tmpd/got"
  [ "$t_line" -ne 0 ] || return 0
  t_pick t_target_files "$t_line"
  t_fallback "the rebuilt archive's file $t_picked is not a regular file of the size and mode the target manifest names"
}
# t_record_both: the new archive's stat record, from the stat t_check_kinds read.
t_record_both() {
  t_record_begin
  cut -d ' ' -f 3- < "$t_tmpd/both" >> "$t_out" || t_stat_bad=1
  t_record_end
}
# t_kinds: the entries here but .tarmac/, by kind ("3d 5f 2l "); a directory group or others
# may write, or setuid or setgid, counts as "w".
t_kinds() {
  t_got=$(find . -path ./.tarmac -prune -o -type d -perm /6022 -printf 'w\n' -o -printf '%y\n' |
    sort | uniq -c | while read -r t_c t_y; do printf '%s%s ' "$t_c" "$t_y"; done) ||
    t_got=unknown
}
# t_shape COUNTS WHAT: the kinds must be COUNTS, once the directories' modes are set (only
# directories cp and tar made: a chmod on a linked inode would change the base's ctime).
t_shape() {
  t_kinds
  case " $t_got" in
    *[0-9]w' '*)
      find . -type d -perm /6022 -exec chmod go-w,ug-s -- {} + ||
        t_fallback 'cannot set the modes of the rebuilt archive'
      t_kinds ;;
  esac
  [ "$t_got" = "$1" ] || t_fallback "$2 (entries by kind: $t_got where the manifest has $1)"
}
t_let t_base '/var/lib/tarmac/g-web/d-20260101-1'
t_let t_base_archive '/var/lib/tarmac/g-web/d-20260101-1/deployment-archive'
t_let t_base_record '/var/lib/tarmac/g-web/d-20260101-1/archive.stat'
t_let t_base_sha '1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e'
t_let t_base_count '3'
t_let t_drop_bundle '1'
# Paths, relative to an archive, in batches (`ArgumentBatches`).
t_base_files () {
"$1" './appspec.yml' './scripts/start.sh' './it'\''s old'
: ; }
t_target_files () {
"$1" './appspec.yml' './scripts/start.sh' './-new
line'
: ; }
t_sent_files () {
"$1" './scripts/start.sh' './-new
line'
: ; }
t_replaced_files () {
"$1" './scripts/start.sh' './it'\''s old'
: ; }
t_dropped_directories () {
"$1" './old'
: ; }
rm -f -- "$t_bundle"
t_err=$(head -c 10240 2>&1 > "$t_bundle") || t_write_failed "$t_err"
t_size=$(wc -c < "$t_bundle" | tr -d ' ')
[ "$t_size" = 10240 ] || t_short 10240
printf '@step bundle ok\n' >&3
t_verify '0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f'
# The base: its archive stat record, unchanged since it was written.
t_scratch
t_base_check
# Retention (§4.9): old deployment directories, oldest first.
t_purge 0 '/var/lib/tarmac/g-web/d-20251201-1'
printf '@step retention ok\n' >&3
# The archive: the base's files linked, the delta unpacked over them.
t_link
# Nothing but the base's entries was linked (a link planted for a directory is never entered).
t_shape '3d 3f ' 'the base'\''s deployment-archive holds entries its manifest does not list'
t_replaced_files t_remove
t_dropped_directories t_rmdir
t_extract
t_sent_files t_modes
t_modes_rest
# Hook scripts executable now, never a file shared with another archive.
t_exec './appspec.yml' './scripts/start.sh'
printf '@step unpack ok\n' >&3
# What the delta brought has the target manifest's digests.
t_expect '1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b
0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d
'
t_sent_files t_sum_add
t_check_sent
# Every file is a regular file of the target's size and mode (`stat` %f %s), in the stat
# that also gives the new archive stat record.
t_expect '81ed 3
81ed 3
81a4 3
'
t_target_files t_both_add
t_check_kinds
# Nothing else: the entries of the archive but .tarmac, and the archive itself, by kind.
t_shape '2d 3f 1l ' 'the rebuilt archive is not the target'\''s'
# The records: the new archive's, and the base's again (linking changed its ctimes).
t_record_both
t_rebase
[ -z "$t_drop_bundle" ] || rm -f -- "$t_bundle"
rm -rf -- "$t_tmpd"
# Others may pass through to the archive, which only root and runas users may enter.
chmod 0711 -- "$t_dir" || t_fail directories 'cannot open the deployment directory' "$t_dir"
mkdir -p -- '/var/lib/tarmac/deployment-instructions' || t_fail bookkeeping 'cannot create deployment-instructions' '/var/lib/tarmac/deployment-instructions'
t_tmp=$(mktemp -- '/var/lib/tarmac/deployment-instructions/.g-web_most_recent_install.XXXXXX' ) && printf '%s' '/var/lib/tarmac/g-web/d-20260102-1' > "$t_tmp" && mv -fT -- "$t_tmp" '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' || { rm -f -- ${t_tmp:+"$t_tmp"} ; t_fail most-recent 'could not write most-recent' '/var/lib/tarmac/deployment-instructions/g-web_most_recent_install' ; }
printf '@done 0\n' >&3
