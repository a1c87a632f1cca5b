#!/usr/bin/env bash
# Makes a minimal Debian 12 root in DIR with debootstrap, once: a later call
# finds the marker the first one left after debootstrap succeeded and only
# prints DIR. A run cut short leaves no marker, so the next one starts over.
# Two callers on the same DIR take turns (DIR.lock). Needs root and debootstrap.
# Usage: tools/bookworm-root.sh DIR      (prints DIR; about 2 minutes the first time)
set -euo pipefail
dir=${1:?usage: tools/bookworm-root.sh DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
exec 8>"$dir.lock"
flock 8
if [ ! -e "$dir/.appointd-root-ok" ]; then
    echo "making the Debian 12 root in $dir (once; log in $dir.log)" >&2
    rm -rf "$dir"
    if ! debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1; then
        echo "debootstrap failed; see $dir.log" >&2
        exit 1
    fi
    touch "$dir/.appointd-root-ok"
fi
echo "$dir"
