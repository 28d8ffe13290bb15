#!/bin/sh
# ApplicationStart: serve /opt/docs-site on port 8080 with whatever the host has.
set -eu
pidfile=/run/docs-site.pid
cd /opt/docs-site
if command -v python3 >/dev/null 2>&1; then
    # Output goes to a file: a background child holding the hook's stdout would hang it.
    nohup python3 -m http.server 8080 --bind 0.0.0.0 >/var/log/docs-site.log 2>&1 &
    echo $! >"$pidfile"
    echo "started docs-site server (pid $!)"
else
    echo "python3 is not installed; serving skipped" >&2
fi
