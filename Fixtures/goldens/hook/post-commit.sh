#!/bin/sh
# tarmac post-commit hook
# Written by `tarmac hook install`; `tarmac hook uninstall` removes it and puts back
# the hook it chained. It starts the pipeline for every new commit and never fails the commit.
status=0
# The hook that was here before runs first; its status is the hook's status.
if [ -x "$0.tarmac-chained" ] ; then
  "$0.tarmac-chained" "$@"
  status=$?
fi
# The tarmac that installed the hook, or the one on PATH when that one is gone.
set -- '/usr/local/bin/tarmac'
tarmac=$1
[ -x "$tarmac" ] || tarmac=tarmac
commit=$(git rev-parse HEAD 2>/dev/null) || exit "$status"
errors=$(mktemp 2>/dev/null) || errors=/dev/null
if ! "$tarmac" run --background --trigger post-commit --rev "$commit" </dev/null >/dev/null 2>"$errors" ; then
  line=
  [ "$errors" = /dev/null ] || IFS= read -r line <"$errors" || :
  short=$(git rev-parse --short "$commit" 2>/dev/null) || short=$commit
  printf 'tarmac: the pipeline did not start for %s: %s\n' "$short" "${line:-no message}" >&2
fi
[ "$errors" = /dev/null ] || rm -f -- "$errors"
exit "$status"
