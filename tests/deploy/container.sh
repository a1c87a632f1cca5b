#!/usr/bin/env bash
# The container image (deploy/Dockerfile), built and run with podman: the
# image runs as a non-root user with no compiler in it and every library
# appointd loads; the container serves /health and /health/ready; a booking
# made through the API survives replacing the container on the same volume;
# `podman stop` (SIGTERM, SIGKILL only after 10 s) ends it with exit code 0;
# the HEALTHCHECK passes, and fails when nothing answers.
#
# No registry is reachable from the test machine, so the base image
# debian:bookworm-slim is made here: a debootstrap root (tools/bookworm-root.sh)
# imported under the name the Dockerfile's FROM resolves to anywhere else.
# The root, podman's storage (with the base image and the build's layer
# cache) and its configuration live under build/ and are reused by the next
# run; nothing of the machine's own podman configuration is read or changed
# beyond defaults. Exits non-zero on the first failure; containers and
# volumes are removed on every exit. Needs root, podman, runc, debootstrap
# (tools/deps.sh test).
# Usage: tests/deploy/container.sh   (first run several minutes: root, apt in both stages)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
top=$PWD
store=$top/build/podman
base=docker.io/library/debian:bookworm-slim
image=localhost/appointd:test
tag=appointd-test-$$
containers=() # removed by cleanup
volume=""
state=""

plog=$top/build/container-podman.log
fail() {
    echo "container test: FAIL: $*" >&2
    exit 1
}
# podman 4.3 logs an error on every run, stop and rm of a container with a
# HEALTHCHECK when there is no systemd to run its timer (there is none here,
# and `podman healthcheck run` does not need it): their stderr goes to a log,
# shown when the test fails.
pm() { podman "$@" 2>>"$plog"; }

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local rc=$?
    local c
    for c in "${containers[@]}"; do
        if [ "$rc" -ne 0 ] && podman container exists "$c"; then
            echo "--- logs of $c" >&2
            podman logs "$c" 2>&1 | tail -n 30 >&2 || true
        fi
        pm rm -f -v -t 0 "$c" >/dev/null || true
    done
    [ -z "$volume" ] || podman volume rm -f "$volume" >/dev/null 2>&1 || true
    [ -z "$state" ] || rm -f "$state"
    local msgs
    msgs=$(grep -v 'unable to get systemd connection' "$plog" 2>/dev/null | tail -n 20 || true)
    if [ "$rc" -ne 0 ] && [ -n "$msgs" ]; then
        printf -- "--- podman's messages (build/container-podman.log)\n%s\n" "$msgs" >&2
    fi
    [ "$rc" -eq 0 ] && echo "container test: ok" || echo "container test: failed (exit $rc)" >&2
    exit "$rc"
}

# podman's configuration, all of it under build/podman. runc and cgroupfs:
# crun refuses this machine's hybrid cgroup hierarchy and there is no systemd
# to manage cgroups; the default rlimits fail here ("setrlimit: Operation not
# permitted"); the event log is a file, not the journal.
mkdir -p "$store"
cat >"$store/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$store/root"
runroot = "$store/run"
CONF
cat >"$store/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$store/events.log"
tmp_dir = "$store/tmp"
volume_path = "$store/root/volumes"
static_dir = "$store/root/libpod"
[network]
network_config_dir = "$store/networks"
CONF
export CONTAINERS_CONF=$store/containers.conf CONTAINERS_STORAGE_CONF=$store/storage.conf
: >"$plog"

# One run at a time per worktree: they would share the storage.
exec 9>"$store.lock"
flock 9
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the base image, made once --------------------------------------------
root=$(tools/bookworm-root.sh build/rootfs-container)
# The label ties the image to the root and to the way it was made here
# (bump the "2" when the tar or import line changes), so either change imports again.
stamp="2 $(stat -c %Y "$root/.appointd-root-ok")"
if [ "$(podman image inspect -f '{{index .Labels "appointd.root"}}' "$base" 2>/dev/null || true)" != "$stamp" ]; then
    echo "container test: importing $root as $base"
    # Every image here was built on the old base: its layers would only take space.
    podman rmi -a -f >/dev/null 2>&1 || true
    # Like the registry's image: no package lists or apt caches (a Dockerfile
    # runs apt-get update itself), PATH set, bash as the command.
    tar -C "$root" --numeric-owner --exclude=./.appointd-root-ok \
        --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*' -c . |
        podman import -q --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' --change "LABEL appointd.root=\"$stamp\"" - "$base" >/dev/null ||
        fail "podman import of $root"
fi

# --- the image ------------------------------------------------------------
# --format docker keeps the HEALTHCHECK; --network host: apt-get in both
# stages needs the network, and there is no container network here;
# --pull=never: the base image is the one imported above, never a registry's.
# The image's build stage has no npm: Swagger UI goes in from build/npm.
make -s --no-print-directory swagger-ui
echo "container test: building $image (log in build/container-build.log)"
podman build --format docker --network host --pull=never \
    --build-arg APPOINTD_COMMIT="$(git rev-parse --short HEAD)" \
    -f deploy/Dockerfile -t "$image" . >build/container-build.log 2>&1 ||
    fail "podman build; see build/container-build.log"

user=$(podman image inspect -f '{{.Config.User}}' "$image")
[ "$user" = 10001:10001 ] || fail "the image's user is '$user', not 10001:10001"
env_of_image=$(podman image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$image")
for e in APPOINTD_HOST=0.0.0.0 APPOINTD_PORT=8000 DATABASE_URL=sqlite:/var/lib/appointd/appointd.db; do
    grep -qx "$e" <<<"$env_of_image" || fail "the image does not set $e"
done
[ "$(podman image inspect -f '{{.Config.StopSignal}}' "$image")" = SIGTERM ] || fail "STOPSIGNAL is not SIGTERM"
podman image inspect -f '{{range $k, $v := .Config.Volumes}}{{$k}} {{end}}' "$image" | grep -qw /var/lib/appointd ||
    fail "/var/lib/appointd is not a volume"
health_cmd=$(podman image inspect -f '{{json .Config.Healthcheck.Test}}' "$image")
[[ "$health_cmd" == '["CMD","bash","-c",'* ]] || fail "no HEALTHCHECK in the image: $health_cmd"

# Inside the image: no compiler, every library found, the build's commit.
inside() { pm run --rm --network host --entrypoint bash "$image" -c "$1"; }
# shellcheck disable=SC2016 # $t is for the container's bash
found=$(inside 'for t in cc gcc make npm node; do command -v $t; done; true')
[ -z "$found" ] || fail "build tools in the run image: $found"
ldd_out=$(inside 'ldd /usr/local/bin/appointd')
if grep -q 'not found' <<<"$ldd_out"; then fail "libraries missing in the image: $ldd_out"; fi
version=$(pm run --rm --network host "$image" --version)
[[ "$version" == *"$(git rev-parse --short HEAD)"* ]] || fail "--version does not name the commit: $version"

# --- serving, on a volume -------------------------------------------------
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
volume=$tag
podman volume create "$volume" >/dev/null
state=$(mktemp /tmp/appointd-container.XXXXXX)

# Host network (no container network here): the port is the host's, chosen
# free. BCRYPT_COST=4 only makes the sign-ups quick.
start() {
    containers+=("$1")
    pm run -d --name "$1" --network host -v "$volume:/var/lib/appointd" \
        -e APPOINTD_PORT="$port" -e BCRYPT_COST=4 "$image" >/dev/null || fail "podman run $1"
    # Waits for the listener, not a timing check: 30 s is far more than a start takes.
    for _ in $(seq 60); do
        curl -fsS -o /dev/null "$url/health" 2>/dev/null && return 0
        [ "$(podman inspect -f '{{.State.Running}}' "$1")" = true ] || fail "$1 exited at start"
        sleep 0.5
    done
    fail "$1 did not answer $url/health"
}

start "$tag-1"
[ "$(curl -fsS "$url/health")" = '{"status":"ok"}' ] || fail "/health body"
[ "$(curl -fsS "$url/health/ready")" = '{"status":"ok","database":"ok"}' ] || fail "/health/ready body"
uid=$(podman exec "$tag-1" id -u)
[ "$uid" != 0 ] || fail "appointd runs as root in the container"
[ "$(podman exec "$tag-1" stat -c %u /var/lib/appointd/appointd.db)" = "$uid" ] ||
    fail "the database on the volume is not the container user's"

pm healthcheck run "$tag-1" >/dev/null || fail "podman healthcheck run: not healthy"
# The same probe against a port nobody listens on must fail, or it proves nothing.
probe=$(podman image inspect -f '{{index .Config.Healthcheck.Test 3}}' "$image")
if podman exec -e APPOINTD_PORT=1 "$tag-1" bash -c "$probe" 2>/dev/null; then
    fail "the HEALTHCHECK probe passes with nothing listening"
fi

/usr/bin/python3 tests/deploy/container_booking.py make "$url" "$state" || fail "booking through the API"

# SIGTERM, and SIGKILL only if it is still running after 10 s: exit code 0
# shows appointd ended on the SIGTERM (a kill would be 137).
pm stop -t 10 "$tag-1" >/dev/null || fail "podman stop"
code=$(podman inspect -f '{{.State.ExitCode}}' "$tag-1")
[ "$code" = 0 ] || fail "exit code after podman stop: $code"
podman logs "$tag-1" 2>&1 | grep -q 'INFO stopped' || fail "no 'stopped' line in the log after SIGTERM"
pm rm -v "$tag-1" >/dev/null

# A new container, nothing of the old one left but the volume.
start "$tag-2"
/usr/bin/python3 tests/deploy/container_booking.py check "$url" "$state" || fail "the booking after the restart"
pm stop -t 10 "$tag-2" >/dev/null || fail "podman stop"
code=$(podman inspect -f '{{.State.ExitCode}}' "$tag-2")
[ "$code" = 0 ] || fail "exit code of the second container after podman stop: $code"
