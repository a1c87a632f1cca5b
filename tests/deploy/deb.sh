#!/usr/bin/env bash
# The Debian package on a fresh Debian 12: lintian finds no error in it; it
# installs with apt into a minimal bookworm root (made once by debootstrap
# under build/rootfs, then reused), its dependencies coming from the archive;
# `appointd migrate` and `appointd serve` run inside a chroot as the packaged
# user, with the unit's environment; GET /health answers from the host; then
# SIGTERM stops the server with exit 0, and a purge leaves no file, user or
# unit link behind. Exits non-zero on the first failure; cleans up on every
# exit. Needs root, debootstrap and lintian (tools/deps.sh test).
# Usage: tests/deploy/deb.sh   (first run about 2-3 minutes for the root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD/build/rootfs
server="" # runuser, inside the chroot
apid=""   # appointd serve, its child
proc_mounted=""

fail() {
    echo "deb test: FAIL: $*" >&2
    exit 1
}
in_root() { chroot "$root" "$@"; }

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local rc=$?
    # Killing appointd first lets runuser reap it and end: once the wait
    # returns, no process of the test is left.
    if [ -n "$server" ]; then
        [ -n "$apid" ] || apid=$(pgrep -P "$server" || true)
        if [ -n "$apid" ]; then
            kill -KILL "$apid" 2>/dev/null || true
        else
            kill -KILL "$server" 2>/dev/null || true
        fi
        wait "$server" 2>/dev/null || true
    fi
    if [ -d "$root/var/lib/dpkg" ]; then
        in_root dpkg --purge appointd >/dev/null 2>&1 || true
        rm -f "$root"/tmp/appointd_*.deb
    fi
    [ -z "$proc_mounted" ] || umount "$root/proc" || rc=1
    [ "$rc" -eq 0 ] && echo "deb test: ok" || echo "deb test: failed (exit $rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"

# One run at a time per root: they would share its dpkg database.
mkdir -p build
exec 9>build/rootfs.lock
flock 9

deb=$(make -s --no-print-directory deb | tail -n 1)
[ -f "$deb" ] || fail "make deb made no package"
lintian --no-cfg --fail-on error "$deb" 2>/dev/null || fail "lintian reports errors in $deb"

# A run killed with SIGKILL could not unmount it.
if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
if [ ! -e "$root/.appointd-root-ok" ]; then
    # A copy of the untouched root the container test imports too: one
    # debootstrap for both (this test installs into its copy).
    echo "deb test: making the Debian 12 root in $root (once)"
    base=$(tools/bookworm-root.sh build/rootfs-container) || fail "no Debian 12 root"
    rm -rf "$root"
    cp -a "$base" "$root" || fail "cannot copy $base"
fi
mount -t proc proc "$root/proc"
proc_mounted=1
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
in_root dpkg --purge appointd >/dev/null 2>&1 || true # a run that was killed

# Package lists at most a day old; the dependencies stay installed between runs.
if [ -z "$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages' -mmin -1440)" ]; then
    in_root apt-get update -qq || fail "apt-get update in the root"
fi
cp "$deb" "$root/tmp/"
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$deb")" >build/rootfs-install.log 2>&1 ||
    fail "apt-get install of $deb; see build/rootfs-install.log"
echo "deb test: installed $(basename "$deb")"

# What postinst and dpkg set up.
entry=$(in_root getent passwd appointd) || fail "no user appointd"
uid=$(cut -d: -f3 <<<"$entry")
[ "$uid" -lt 1000 ] || fail "appointd is not a system user (uid $uid)"
[ "$(cut -d: -f6 <<<"$entry")" = /var/lib/appointd ] || fail "home is not /var/lib/appointd: $entry"
[ "$(in_root stat -c %U:%a /var/lib/appointd)" = appointd:700 ] || fail "/var/lib/appointd owner or mode"
in_root dpkg-query -W -f='${Conffiles}\n' appointd | grep -q '^ /etc/appointd/appointd.env ' ||
    fail "/etc/appointd/appointd.env is not a conffile"
[ -L "$root/etc/systemd/system/multi-user.target.wants/appointd.service" ] || fail "the unit is not enabled"
# The settings file lists every setting of the binary's table, commented out.
for v in $(in_root appointd config | tail -n +3 | cut -d'`' -f2); do
    grep -q "^#$v=" "$root/etc/appointd/appointd.env" || fail "appointd.env lacks #$v="
done
grep -qv '^\(#\|$\)' "$root/etc/appointd/appointd.env" && fail "appointd.env sets something"
in_root ldd /usr/bin/appointd | grep -q 'not found' && fail "a library is missing: $(in_root ldd /usr/bin/appointd)"

# Run as the unit would: its user, its working directory, its environment.
unit=$root/lib/systemd/system/appointd.service
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
set -a
# shellcheck disable=SC1091
. "$root/etc/appointd/appointd.env"
set +a
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_appointd=(chroot "$root" runuser -u appointd -- env -C /var/lib/appointd "${unit_env[@]}"
    APPOINTD_HOST=127.0.0.1 APPOINTD_PORT="$port" APPOINTD_LOG_LEVEL=warn)
"${as_appointd[@]}" /usr/bin/appointd migrate || fail "appointd migrate"
[ "$(in_root stat -c %U /var/lib/appointd/appointd.db)" = appointd ] || fail "the database is not appointd's"

# No function or subshell around it, so that $! is runuser (chroot execs it);
# fd 9 closed, so that a server left running cannot hold the lock.
"${as_appointd[@]}" /usr/bin/appointd serve >build/rootfs-serve.log 2>&1 9>&- &
server=$!
health=""
for _ in $(seq 300); do
    kill -0 "$server" 2>/dev/null || fail "appointd serve exited; see build/rootfs-serve.log"
    health=$(curl -fsS "http://127.0.0.1:$port/health" 2>/dev/null) && break
    sleep 0.1
done
[ -n "$health" ] || fail "no answer on http://127.0.0.1:$port/health"
grep -q '"ok"' <<<"$health" || fail "/health said $health"
# runuser waits for its child: the server is that child, running as appointd.
apid=$(pgrep -P "$server" -x appointd || true)
[ -n "$apid" ] || fail "cannot find the appointd process under runuser $server"
grep -q "^Uid:[[:space:]]*${uid}[[:space:]]" "/proc/$apid/status" || fail "appointd does not run as uid $uid"
echo "deb test: /health from the host: $health"

# SIGTERM to appointd itself, as systemd sends it: runuser passes on the exit status.
kill -TERM "$apid"
rc=0
wait "$server" || rc=$?
server="" apid=""
[ $rc -eq 0 ] || fail "appointd serve exited $rc after SIGTERM; see build/rootfs-serve.log"

# A reinstall runs postinst as an upgrade does ("configure" with the old
# version): an edited settings file, the user and the database stay. No
# standard input, so that a conffile question fails instead of waiting.
echo 'APPOINTD_LOG_LEVEL=warn' >>"$root/etc/appointd/appointd.env"
DEBIAN_FRONTEND=noninteractive in_root apt-get install --reinstall -y -qq \
    "/tmp/$(basename "$deb")" </dev/null >>build/rootfs-install.log 2>&1 || fail "apt-get install --reinstall"
grep -qx 'APPOINTD_LOG_LEVEL=warn' "$root/etc/appointd/appointd.env" || fail "the reinstall lost an edit of appointd.env"
[ "$(in_root id -u appointd)" = "$uid" ] || fail "the reinstall changed the uid of appointd"
[ -s "$root/var/lib/appointd/appointd.db" ] || fail "the reinstall lost the database"

DEBIAN_FRONTEND=noninteractive in_root apt-get purge -y -qq appointd >>build/rootfs-install.log 2>&1 ||
    fail "apt-get purge appointd"
for p in /usr/bin/appointd /lib/systemd/system/appointd.service /etc/appointd /var/lib/appointd \
    /etc/systemd/system/multi-user.target.wants/appointd.service; do
    if [ -e "$root$p" ] || [ -L "$root$p" ]; then fail "$p is left after purge"; fi
done
in_root getent passwd appointd >/dev/null && fail "user appointd is left after purge"
in_root getent group appointd >/dev/null && fail "group appointd is left after purge"
rm -f "$root"/tmp/appointd_*.deb
exit 0
