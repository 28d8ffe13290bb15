# The previous install: 3 paths, 0 SELinux rules.
t_remove_in 0 0 '/srv/app' './a.txt' './lib'
t_remove_in 1 2 '/srv' './app'
printf '@step cleanup:%s ok\n' 3 >&3
rm -f -- "$t_cleanup" && : > "$t_cleanup" || t_fail cleanup-file 'cannot replace the cleanup file' "$t_cleanup"
# Files: 4 steps.
if t_absent 0 '/srv' 'app' ; then
  t_records '/srv/app' '/srv/app/lib'
  t_mark 0
fi
t_records '/srv/app/a.txt' '/srv/app/lib/b.txt'
if t_marked 0 ; then
  t_enter copy 0 '/srv'
  t_stage_in copy 0
  t_tree 0 './app' './app/lib'
  t_tree_copy 2 '' 'app' 'a.txt' 'lib/b.txt'
  t_tree_modes 2 '00644' './app/a.txt'
  t_tree_modes 3 '00600' './app/lib/b.txt'
  t_tree_out 0 0 'app'
else
  t_enter mkdir 0 '/srv'
  if t_mkdirs 0 './app' ; then
    t_records '/srv/app'
  else
    t_mkdir 0 'app' && t_record '/srv/app'
  fi
  printf '@step made:%s ok\n' '0-0' >&3
  t_enter mkdir 1 '/srv/app'
  if t_mkdirs 1 './lib' ; then
    t_records '/srv/app/lib'
  else
    t_mkdir 1 'lib' && t_record '/srv/app/lib'
  fi
  printf '@step made:%s ok\n' '0-1' >&3
  t_enter copy 2 '/srv/app'
  t_stage_in copy 2
  t_put 2 '00644' '/var/lib/tarmac/g-web/d-20260102-1/deployment-archive/a.txt'
  t_stage_out '0-0' 2 'a.txt'
  t_enter copy 3 '/srv/app/lib'
  t_stage_in copy 3
  t_put 3 '00600' '/var/lib/tarmac/g-web/d-20260102-1/deployment-archive/lib/b.txt'
  t_stage_out '0-1' 3 'b.txt'
fi
printf '@step files:%s/%s ok\n' 4 4 >&3
# Permissions: 0 paths.
printf '@step permissions:%s ok\n' 0 >&3
cd /
t_tmp=$(mktemp -- '/var/lib/tarmac/deployment-instructions/.g-web_last_successful_install.XXXXXX' ) && printf '%s' '/var/lib/tarmac/g-web/d-20260102-1' > "$t_tmp" && mv -fT -- "$t_tmp" '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' || { rm -f -- ${t_tmp:+"$t_tmp"} ; t_fail last-successful 'could not write last-successful' '/var/lib/tarmac/deployment-instructions/g-web_last_successful_install' ; }
printf '@done 0\n' >&3
