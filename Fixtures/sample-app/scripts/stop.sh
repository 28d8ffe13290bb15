#!/bin/sh
# ApplicationStop: runs from the *previous* revision; stops the server it started.
set -eu
pidfile=/run/docs-site.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    echo "stopped docs-site server (pid $(cat "$pidfile"))"
fi
rm -f "$pidfile"
