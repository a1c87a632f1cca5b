#!/usr/bin/env bash
# make bench-scaling: bookings/s and the slots p99 for 1, 2 and 4 appointd
# processes on one PostgreSQL, behind deploy/nginx.conf (TLS, Debian's
# nginx): each process with the default APPOINTD_WORKERS, then 2 and 4 with
# that total split among them (the same PostgreSQL concurrency); and one
# process without nginx for comparison. Writes the figures
# between the scaling markers of docs/SCALING.md (and prints them).
#   BENCH_DURATION (10)        seconds of each wrk run
#   BENCH_SLOT_BOOKINGS (100000) bookings of the slots provider
# The load is bench/booking.lua (32 connections, distinct free slots) and
# bench/auth_get.lua on a 7-day slots range of the provider of make bench's
# section e (one connection: the latency target's way). Every process, nginx
# and the PostgreSQL cluster are stopped on exit; logs in build/bench/scaling/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=/usr/bin/python3
HELPER=("$PY" bench/helper.py)
DUR=${BENCH_DURATION:-10}
SLOT_BOOKINGS=${BENCH_SLOT_BOOKINGS:-100000}
JWT=bench-secret-bench-secret-bench-secret-0123
LOGS=build/bench/scaling
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk psql openssl curl "$NGINX"; do
  command -v "$tool" >/dev/null || { echo "bench-scaling: $tool is missing" >&2; exit 1; }
done
say() { printf '==> %s\n' "$*" >&2; }

work=$(mktemp -d /tmp/appointd-scaling.XXXXXX)
pgdir=$(mktemp -d /tmp/appointd-scaling-pg.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  tools/pg_cluster.sh stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$LOGS"
mkdir -p "$LOGS"

# start_processes N WORKERS: N appointd processes on the database with
# APPOINTD_WORKERS each; their ports in PORTS.
PORTS=()
start_processes() {
  local i port
  PORTS=()
  for ((i = 1; i <= $1; i++)); do
    port=$("${HELPER[@]}" free-port)
    env APPOINTD_HOST=127.0.0.1 APPOINTD_PORT="$port" DATABASE_URL="$DB_URL" JWT_SECRET=$JWT \
      BCRYPT_COST=4 APPOINTD_LOG_LEVEL=warn ACCESS_TOKEN_EXPIRE_MINUTES=120 SIGNUP_MAX_PER_IP=1000000 \
      TRUSTED_PROXIES=127.0.0.1 APPOINTD_WORKERS="$2" \
      build/appointd serve >"$LOGS/appointd-$1x$2-$i.log" 2>&1 &
    pids+=($!)
    "${HELPER[@]}" wait "http://127.0.0.1:$port" || { cat "$LOGS/appointd-$1x$2-$i.log" >&2; exit 1; }
    PORTS+=("$port")
  done
}

stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

# start_nginx: deploy/nginx.conf with its listen ports, certificate, pid and
# log paths under $work and an upstream of PORTS; sets NGINX_URL.
start_nginx() {
  local http https
  http=$("${HELPER[@]}" free-port) https=$("${HELPER[@]}" free-port)
  "$PY" - "$work" "$http" "$https" "${PORTS[@]}" >"$work/nginx.conf" <<'PY'
import sys
d, http, https, ports = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
text = open("deploy/nginx.conf").read()
upstream = "".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in ports)
for old, new in [("listen 80;", f"listen 127.0.0.1:{http};"),
                 ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                 ("/etc/appointd/tls/fullchain.pem", f"{d}/cert.pem"),
                 ("/etc/appointd/tls/privkey.pem", f"{d}/key.pem"),
                 ("        server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n"
                  "        server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;\n", upstream),
                 ("pid /run/nginx.pid;", f"pid {d}/nginx.pid;"),
                 ("error_log /var/log/nginx/error.log", f"error_log {d}/error.log"),
                 ("access_log /var/log/nginx/appointd-access.log", f"access_log {d}/access.log")]:
    if text.count(old) != 1:
        sys.exit(f"bench-scaling: {old!r} is not in deploy/nginx.conf exactly once")
    text = text.replace(old, new)
sys.stdout.write(text)
PY
  "$NGINX" -p "$work" -e "$work/error.log" -c "$work/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
  pids+=($!)
  NGINX_URL=https://127.0.0.1:$https
  local deadline=$((SECONDS + 20))
  until curl -skf -o /dev/null "$NGINX_URL/health"; do
    [ $SECONDS -lt $deadline ] || { echo "bench-scaling: nginx did not answer" >&2; cat "$work/error.log" >&2; exit 1; }
    sleep 0.1
  done
}

# wrk_figures NAME: "REQ/S P99_MS NON2XX" of $LOGS/wrk-NAME.txt.
wrk_figures() {
  awk '/^Requests\/sec:/ { r = $2 }
       /^ +99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                  p = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }
       /Non-2xx or 3xx responses:/ { n = $5 }
       END { printf "%.1f %.2f %d\n", r, p, n }' "$LOGS/wrk-$1.txt"
}

# measure NAME LABEL URL: a booking run (fresh customers and service) and a
# slots run; wrk's output in $LOGS/wrk-book-NAME.txt and wrk-slots-NAME.txt.
ROWS=()
measure() {
  # shellcheck disable=SC2034  # set by the helper; only some are used
  local name=$1 label=$2 url=$3 SKIP="" PROVIDER_ID="" PROVIDER_TOKEN="" SERVICE_ID="" CUSTOMER_ID="" BASE="" TOKENS=""
  eval "$("${HELPER[@]}" booking-setup "http://127.0.0.1:${PORTS[0]}" 32)"
  say "$label: POST /api/v1/bookings (${DUR}s, 32 connections)"
  BENCH_TOKENS=$TOKENS BENCH_SERVICE_ID=$SERVICE_ID BENCH_BASE=$BASE BENCH_THREADS=2 \
    wrk -t2 -c32 -d"${DUR}s" --latency -s bench/booking.lua "$url/api/v1/bookings" >"$LOGS/wrk-book-$name.txt"
  read -r b_rps b_p99 b_bad <<<"$(wrk_figures "book-$name")"
  say "$label: GET slots, 7 days, $SLOT_BOOKINGS bookings (${DUR}s, 1 connection)"
  BENCH_TOKEN=$SLOTS_TOKEN wrk -t1 -c1 -d"${DUR}s" --latency -s bench/auth_get.lua \
    "$url/api/v1/services/$SLOTS_SERVICE_ID/slots?from=$SLOTS_FROM&to=$SLOTS_TO" >"$LOGS/wrk-slots-$name.txt"
  read -r s_rps s_p99 s_bad <<<"$(wrk_figures "slots-$name")"
  ROWS+=("| $label | $b_rps | $b_p99 | $b_bad | $s_p99 | $s_rps | $s_bad |")
}

say "a throwaway PostgreSQL cluster and a TLS certificate"
PGPORT_=$(tools/pg_cluster.sh start "$pgdir")
DB_URL="postgresql://postgres@127.0.0.1:$PGPORT_/appointd"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
# The default of APPOINTD_WORKERS (src/core/config.c): 4 a core, at least 8.
WORKERS=$(( $(nproc) * 4 > 8 ? $(nproc) * 4 : 8 ))
start_processes 1 "$WORKERS"
say "slots provider: $SLOT_BOOKINGS bookings inserted with SQL"
# shellcheck disable=SC2034  # set by the helper; only some are used
SKIP="" SLOTS_SERVICE_ID="" SLOTS_SERVICE60_ID="" SLOTS_TOKEN="" SLOTS_FROM="" SLOTS_TO="" SLOTS_FIRST="" SLOTS_LAST=""
eval "$("${HELPER[@]}" slots-setup "http://127.0.0.1:${PORTS[0]}" postgres "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd" "$SLOT_BOOKINGS")"
[ -z "$SKIP" ] || { echo "bench-scaling: $SKIP" >&2; exit 1; }
measure direct "1 process × $WORKERS workers, no proxy" "http://127.0.0.1:${PORTS[0]}"
# Each process with the default workers, then the same total of workers
# (the same number of concurrent PostgreSQL transactions) split among them.
for cfg in "1 $WORKERS" "2 $WORKERS" "4 $WORKERS" "2 $((WORKERS / 2))" "4 $((WORKERS / 4))"; do
  read -r n w <<<"$cfg"
  stop_all
  start_processes "$n" "$w"
  start_nginx
  label="$n process"
  [ "$n" = 1 ] || label="$n processes"
  measure "nginx-${n}x$w" "$label × $w workers, behind nginx" "$NGINX_URL"
done
stop_all
# Confirmed bookings that start before an earlier one of their provider ends.
overlaps=$(psql -X -q -At -h 127.0.0.1 -p "$PGPORT_" -U postgres appointd -c \
  "SELECT count(*) FROM (SELECT occupied_start, max(occupied_end) OVER (PARTITION BY provider_id
   ORDER BY occupied_start, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
   FROM bookings WHERE status = 'confirmed') b WHERE before_end > occupied_start")

table=$(
  echo "<!-- scaling:begin (bench/scaling.sh writes this part) -->"
  echo "Measured by \`make bench-scaling\` on $(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores"
  echo "($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), PostgreSQL $(psql -V | awk '{ print $3 }'),"
  echo "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'); every process, nginx, PostgreSQL and wrk share those cores."
  echo "Bookings: ${DUR} s of bench/booking.lua, 32 connections, each request a distinct free slot;"
  echo "slots: ${DUR} s of GET /api/v1/services/{id}/slots over 7 days of a provider with"
  echo "$SLOT_BOOKINGS bookings, one request at a time. Overlapping confirmed bookings afterwards: $overlaps."
  echo
  echo "| processes | bookings/s | bookings p99 ms | bookings non-2xx | slots p99 ms | slots req/s | slots non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo "<!-- scaling:end -->"
)
printf '%s\n' "$table"
"$PY" - docs/SCALING.md "$table" <<'PY'
import re, sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- scaling:begin.*?<!-- scaling:end -->", re.S)
if not pattern.search(text):
    sys.exit("bench-scaling: docs/SCALING.md has no scaling markers")
open(path, "w").write(pattern.sub(lambda m: table, text))
PY
say "docs/SCALING.md written"
