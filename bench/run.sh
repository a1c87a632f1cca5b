#!/usr/bin/env bash
# appointd's speed, measured in one run and written to docs/PERFORMANCE.md
# (and printed). `make bench` installs wrk and PostgreSQL 15 and builds
# build/appointd first; this script builds its own helpers into build/bench/.
#
#   bash bench/run.sh
#
# Sections: GET /health against a bare libmicrohttpd server; bcrypt's ceiling
# and login throughput, with GET /health latency while logins load the CPUs;
# GET /api/v1/users/me on SQLite and PostgreSQL; idle RSS; bookings against
# pgbench and the slots latency with 100 000 bookings. Each figure carries its
# target and PASS/MISS, for information: the script exits 0 unless something
# crashed. Every process it starts, and the PostgreSQL cluster, is stopped on
# exit. Logs of the last run: build/bench/logs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PY=/usr/bin/python3
HELPER=("$PY" "$ROOT/bench/helper.py")
CORES=$(nproc)
DUR=${BENCH_DURATION:-10}            # seconds of each throughput run
HEALTH_DUR=${BENCH_HEALTH_DURATION:-5}  # seconds of each of the 3 /health rounds
LOGIN_DUR=${BENCH_LOGIN_DURATION:-20}
SLOT_BOOKINGS=${BENCH_SLOT_BOOKINGS:-100000}
JWT=bench-secret-bench-secret-bench-secret-0123
PASSWORD=bench-password-123
OUT=docs/PERFORMANCE.md
LOGS=build/bench/logs

for tool in wrk pgbench psql cc pkg-config "$PY"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done
[ -x build/appointd ] || make --no-print-directory all

work=$(mktemp -d /tmp/appointd-bench.XXXXXX)
pgdir=""
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  if [ -n "$pgdir" ]; then
    tools/pg_cluster.sh stop "$pgdir" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
set -o errtrace
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

rm -rf "$LOGS"
mkdir -p build/bench "$LOGS"
say() { printf '==> %s\n' "$*" >&2; }

# --- helpers ------------------------------------------------------------------

say "building bench/bare_mhd.c and bench/bcrypt_time.c"
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o build/bench/bare_mhd bench/bare_mhd.c \
  $(pkg-config --cflags --libs libmicrohttpd) -lpthread
cc -O2 -Wall -Wextra -o build/bench/bcrypt_time bench/bcrypt_time.c -lcrypt

# Float helpers (awk does the arithmetic).
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

APP_PID="" APP_URL=""
# start_appointd NAME DATABASE_URL BCRYPT_COST: sets APP_PID and APP_URL.
start_appointd() {
  local name=$1 url=$2 cost=$3 port
  port=$("${HELPER[@]}" free-port)
  APPOINTD_HOST=127.0.0.1 APPOINTD_PORT=$port DATABASE_URL=$url JWT_SECRET=$JWT \
    BCRYPT_COST=$cost APPOINTD_LOG_LEVEL=warn ACCESS_TOKEN_EXPIRE_MINUTES=120 \
    build/appointd serve >"$LOGS/appointd-$name.log" 2>&1 &
  APP_PID=$!
  pids+=("$APP_PID")
  APP_URL=http://127.0.0.1:$port
  if ! "${HELPER[@]}" wait "$APP_URL"; then
    echo "bench: appointd ($name) did not start; its log:" >&2
    cat "$LOGS/appointd-$name.log" >&2
    exit 1
  fi
}

# forget PID: a process that has ended leaves the list cleanup kills.
forget() {
  local p kept=()
  for p in "${pids[@]}"; do
    [ "$p" = "$1" ] || kept+=("$p")
  done
  pids=("${kept[@]}")
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}

# alive PID NAME: a server that died under load is a crash: stop here.
alive() {
  if ! kill -0 "$1" 2>/dev/null; then
    echo "bench: $2 (pid $1) died; log: $LOGS" >&2
    tail -n 20 "$LOGS/appointd-$2.log" >&2 || true
    exit 1
  fi
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# wrk_run NAME ARGS...: runs wrk, keeping its output in $LOGS/wrk-NAME.txt.
wrk_run() {
  local name=$1
  shift
  if ! wrk "$@" >"$LOGS/wrk-$name.txt" 2>&1; then
    echo "bench: wrk $name failed:" >&2
    cat "$LOGS/wrk-$name.txt" >&2
    exit 1
  fi
}
rps() { awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$LOGS/wrk-$1.txt"; }
# p99 in milliseconds (wrk prints us, ms, s or m).
p99() {
  awk '$1 == "99%" { v = $2
         if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
         else if (v ~ /ms$/) { sub(/ms$/, "", v) }
         else if (v ~ /m$/) { sub(/m$/, "", v); v *= 60000 }
         else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
         printf "%.2f", v }' "$LOGS/wrk-$1.txt"
}
non2xx() { awk '/Non-2xx or 3xx responses:/ { n = $NF } END { print n + 0 }' "$LOGS/wrk-$1.txt"; }
sockerr() {
  awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); e = $0 } END { print (e == "" ? "none" : e) }' \
    "$LOGS/wrk-$1.txt"
}
# status_count NAME CODE-REGEX: responses whose status matches (bench/status.lua's lines).
status_count() { awk -v re="^($2)$" '$1 == "status" && $2 ~ re { n += $3 } END { print n + 0 }' "$LOGS/wrk-$1.txt"; }
statuses() {
  awk '$1 == "status" { printf "%s%s×%s", sep, $2, $3; sep = ", " }' "$LOGS/wrk-$1.txt" |
    sed 's/^$/none/'
}

ROWS=()
NOTES=()
# row MEASUREMENT VALUE TARGET VERDICT
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }
note() { NOTES+=("$*"); }
verdict_ge() { if ge "$1" "$2"; then echo PASS; else echo MISS; fi; }
verdict_lt() { if lt "$1" "$2"; then echo PASS; else echo MISS; fi; }

# --- machine ------------------------------------------------------------------

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MHD_VERSION=$(pkg-config --modversion libmicrohttpd)
PG_VERSION=$(psql --version | awk '{ print $3 }')
SQLITE_VERSION=$(pkg-config --modversion sqlite3)
WRK_VERSION=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src 2>/dev/null)" ]; then GIT_REV="$GIT_REV (src/ modified)"; fi

# cpu_ticks PID: user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
# cpu_idle: the machine's idle + iowait ticks, summed over all CPUs (/proc/stat).
cpu_idle() { awk '$1 == "cpu" { print $5 + $6 }' /proc/stat; }

# --- b. bcrypt ceiling (first, while nothing else runs) ---------------------------

say "bcrypt cost 12: timing 10 hashes on one core"
BCRYPT_S=$(build/bench/bcrypt_time 12 10)
CEILING=$(calc "$CORES / $BCRYPT_S" 2)
say "bcrypt cost 12: $CORES processes hashing at once"
for i in $(seq "$CORES"); do build/bench/bcrypt_time 12 4 >"$work/bcrypt-par-$i" & done
wait
PAR_RATE=$(cat "$work"/bcrypt-par-* | awk '{ s += 1 / $1 } END { printf "%.2f", s }')

# --- SQLite server, bcrypt cost 12 ------------------------------------------------

say "starting appointd on SQLite (BCRYPT_COST=12)"
start_appointd sqlite "sqlite:$work/appointd.db" 12
SQ_PID=$APP_PID SQ_URL=$APP_URL
LOGIN_EMAIL=bench-login@example.com
SKIP=""
setup=$("${HELPER[@]}" user "$SQ_URL" "$LOGIN_EMAIL" "$PASSWORD" customer)
eval "$setup"
[ -z "$SKIP" ] || { echo "bench: $SKIP" >&2; exit 1; }
SQ_TOKEN=$TOKEN

# d. idle RSS: after start-up and a few requests.
"${HELPER[@]}" touch "$SQ_URL" "$SQ_TOKEN"
sleep 1
RSS_IDLE=$(rss_kb "$SQ_PID")

# a. GET /health: appointd against bare libmicrohttpd, 3 interleaved rounds each.
BARE_PORT=$("${HELPER[@]}" free-port)
build/bench/bare_mhd "$BARE_PORT" "$CORES" >"$LOGS/bare_mhd.log" 2>&1 &
BARE_PID=$!
pids+=("$BARE_PID")
"${HELPER[@]}" wait "http://127.0.0.1:$BARE_PORT"
app_r=() bare_r=()
for round in 1 2 3; do
  say "GET /health round $round/3: bare libmicrohttpd, then appointd (${HEALTH_DUR}s each)"
  wrk_run "health-bare-$round" -t2 -c64 -d"${HEALTH_DUR}s" "http://127.0.0.1:$BARE_PORT/health"
  bare_r+=("$(rps "health-bare-$round")")
  wrk_run "health-appointd-$round" -t2 -c64 -d"${HEALTH_DUR}s" "$SQ_URL/health"
  app_r+=("$(rps "health-appointd-$round")")
done
stop_pid "$BARE_PID"
alive "$SQ_PID" sqlite
HEALTH_APP=$(median "${app_r[@]}")
HEALTH_BARE=$(median "${bare_r[@]}")
HEALTH_RATIO=$(calc "$HEALTH_APP / $HEALTH_BARE" 3)
HEALTH_ERR=0
for round in 1 2 3; do
  HEALTH_ERR=$((HEALTH_ERR + $(non2xx "health-appointd-$round")))
done

# b. logins: alone, then with a low-rate /health probe alongside.
say "POST /api/v1/auth/login at BCRYPT_COST=12 (${LOGIN_DUR}s, 8 connections)"
export BENCH_EMAIL=$LOGIN_EMAIL BENCH_PASSWORD=$PASSWORD
cpu0=$(cpu_ticks "$SQ_PID") idle0=$(cpu_idle) t0=$(date +%s.%N)
wrk_run login -t2 -c8 -d"${LOGIN_DUR}s" --timeout 10s --latency -s bench/login.lua "$SQ_URL/api/v1/auth/login"
cpu1=$(cpu_ticks "$SQ_PID") idle1=$(cpu_idle) t1=$(date +%s.%N)
LOGIN_CORES=$(calc "($cpu1 - $cpu0) / $TICKS / ($t1 - $t0)" 2)
LOGIN_IDLE=$(calc "($idle1 - $idle0) / $TICKS / ($t1 - $t0)" 2)
LOGIN_RPS=$(rps login)
LOGIN_OK=$(status_count login 200)
LOGIN_TOTAL=$(status_count login '[0-9]+')
LOGIN_OK_RPS=$(calc "$LOGIN_RPS * ($LOGIN_TOTAL > 0 ? $LOGIN_OK / $LOGIN_TOTAL : 0)" 2)
LOGIN_RATIO=$(calc "$LOGIN_OK_RPS / $CEILING" 3)
alive "$SQ_PID" sqlite

say "GET /health p99 (4 connections) while logins load the CPUs"
wrk -t2 -c8 -d"$((LOGIN_DUR + 5))s" --timeout 10s -s bench/login.lua "$SQ_URL/api/v1/auth/login" \
  >"$LOGS/wrk-login-bg.txt" 2>&1 &
BG_WRK=$!
pids+=("$BG_WRK")
sleep 3
wrk_run health-under-login -t1 -c4 -d"$((LOGIN_DUR - 5))s" --latency -s bench/health_probe.lua \
  "$SQ_URL/health"
wait "$BG_WRK" || { echo "bench: background login wrk failed" >&2; cat "$LOGS/wrk-login-bg.txt" >&2; exit 1; }
forget "$BG_WRK"
HEALTH_LOADED_P99=$(p99 health-under-login)
HEALTH_LOADED_RPS=$(rps health-under-login)
LOGIN_BG_RPS=$(rps login-bg)
alive "$SQ_PID" sqlite

# c. GET /users/me on SQLite.
say "GET /api/v1/users/me on SQLite (${DUR}s, 64 connections)"
export BENCH_TOKEN=$SQ_TOKEN
wrk_run me-sqlite -t2 -c64 -d"${DUR}s" --latency -s bench/auth_get.lua "$SQ_URL/api/v1/users/me"
ME_SQ=$(rps me-sqlite)
alive "$SQ_PID" sqlite
RSS_AFTER=$(rss_kb "$SQ_PID")
stop_pid "$SQ_PID"

# --- e. bookings and slots (a section that reports "not measured" when the server
#        cannot do it yet) --------------------------------------------------------

# bench_bookings ENGINE URL: sets BOOK_<ENGINE>_* (rps of 201s, statuses, non-2xx) or
# BOOK_<ENGINE>_SKIP.
bench_bookings() {
  local engine=$1 url=$2
  # shellcheck disable=SC2034  # CUSTOMER_ID: set by the helper, kept local
  local SKIP="" PROVIDER_ID="" SERVICE_ID="" CUSTOMER_ID="" BASE="" TOKENS=""
  say "bookings on $engine: set-up through the API (provider, schedule, service, 32 customers)"
  local setup
  setup=$("${HELPER[@]}" booking-setup "$url" 32)
  eval "$setup"
  if [ -n "$SKIP" ]; then
    printf -v "BOOK_${engine}_SKIP" '%s' "$SKIP"
    return 0
  fi
  say "POST /api/v1/bookings on $engine (${DUR}s, 32 connections, distinct slots)"
  BENCH_TOKENS=$TOKENS BENCH_SERVICE_ID=$SERVICE_ID BENCH_BASE=$BASE BENCH_THREADS=2 \
    wrk_run "book-$engine" -t2 -c32 -d"${DUR}s" --latency -s bench/booking.lua "$url/api/v1/bookings"
  local r ok total
  r=$(rps "book-$engine")
  ok=$(status_count "book-$engine" '2[0-9][0-9]')
  total=$(status_count "book-$engine" '[0-9]+')
  printf -v "BOOK_${engine}_RPS" '%s' "$r"
  printf -v "BOOK_${engine}_OK_RPS" '%s' "$(calc "$r * ($total > 0 ? $ok / $total : 0)" 1)"
  printf -v "BOOK_${engine}_STATUSES" '%s' "$(statuses "book-$engine")"
  printf -v "BOOK_${engine}_NON2XX" '%s' "$((total - ok))"
  printf -v "BOOK_${engine}_P99" '%s' "$(p99 "book-$engine")"
  printf -v "BOOK_${engine}_PROVIDER" '%s' "$PROVIDER_ID"
}

# bench_slots ENGINE URL SQL_TARGET: for KIND 5 and 60 (the services' minutes), sets
# SLOTS_<ENGINE>_<KIND>_P99 / _RPS / _COUNT / _NON2XX, or SLOTS_<ENGINE>_SKIP.
bench_slots() {
  local engine=$1 url=$2 target=$3 db=sqlite
  local SKIP="" SLOTS_SERVICE_ID="" SLOTS_SERVICE60_ID="" SLOTS_TOKEN="" SLOTS_FROM="" SLOTS_TO=""
  local SLOTS_FIRST="" SLOTS_LAST="" STATUS="" COUNT="" VALID="" BODY_START="" kind sid path
  [ "$engine" = sqlite ] || db=postgres
  say "slots on $engine: set-up through the API, then $SLOT_BOOKINGS bookings inserted with SQL"
  local setup
  setup=$("${HELPER[@]}" slots-setup "$url" "$db" "$target" "$SLOT_BOOKINGS")
  eval "$setup"
  if [ -n "$SKIP" ]; then
    printf -v "SLOTS_${engine}_SKIP" '%s' "$SKIP"
    return 0
  fi
  for kind in 5 60; do
    sid=$SLOTS_SERVICE_ID
    [ "$kind" = 60 ] && sid=$SLOTS_SERVICE60_ID
    path="/api/v1/services/$sid/slots?from=$SLOTS_FROM&to=$SLOTS_TO"
    setup=$("${HELPER[@]}" probe "$url" "$SLOTS_TOKEN" "$path")
    eval "$setup"
    if [ "$STATUS" != 200 ]; then
      printf -v "SLOTS_${engine}_SKIP" '%s' "GET /api/v1/services/{id}/slots answers $STATUS"
      return 0
    fi
    if [ "$VALID" != 1 ]; then
      note "The $kind-minute slots answer on $engine was not a JSON object with a slots list: ${BODY_START}…"
      COUNT="invalid JSON:"
    fi
    # Latency with one request at a time (the p99 target), then throughput and
    # latency with 4 at once on these 2 cores, shared with wrk and the database.
    for conns in 1 4; do
      say "GET $path on $engine (${DUR}s, $conns connection(s))"
      BENCH_TOKEN=$SLOTS_TOKEN wrk_run "slots-$engine-$kind-c$conns" -t1 -c"$conns" -d"${DUR}s" \
        --latency -s bench/auth_get.lua "$url$path"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_P99" '%s' "$(p99 "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_RPS" '%s' "$(rps "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_NON2XX" '%s' "$(non2xx "slots-$engine-$kind-c$conns")"
    done
    printf -v "SLOTS_${engine}_${kind}_COUNT" '%s' "$COUNT"
  done
  SLOTS_RANGE="from $SLOTS_FROM to $SLOTS_TO; bookings from $SLOTS_FIRST to $SLOTS_LAST"
}

SLOTS_RANGE=""
say "starting appointd on a fresh SQLite database (BCRYPT_COST=4: set-up only)"
start_appointd sqlite-booking "sqlite:$work/booking.db" 4
SQB_PID=$APP_PID
bench_bookings sqlite "$APP_URL"
alive "$SQB_PID" sqlite-booking
bench_slots sqlite "$APP_URL" "$work/booking.db"
alive "$SQB_PID" sqlite-booking
stop_pid "$SQB_PID"

# --- PostgreSQL -------------------------------------------------------------------

say "starting a throwaway PostgreSQL cluster"
pgdir=$(mktemp -d /tmp/appointd-bench-pg.XXXXXX)
PGPORT_=$(tools/pg_cluster.sh start "$pgdir")
PG_CONN=(-h 127.0.0.1 -p "$PGPORT_" -U postgres)
psql_q() { psql -X -q -At -v ON_ERROR_STOP=1 "${PG_CONN[@]}" appointd -c "$1"; }
say "starting appointd on PostgreSQL (BCRYPT_COST=4: set-up only)"
start_appointd postgres "postgresql://postgres@127.0.0.1:$PGPORT_/appointd" 4
PG_PID=$APP_PID PG_URL=$APP_URL

SKIP=""
setup=$("${HELPER[@]}" user "$PG_URL" bench-me@example.com "$PASSWORD" customer)
eval "$setup"
[ -z "$SKIP" ] || { echo "bench: $SKIP" >&2; exit 1; }
say "GET /api/v1/users/me on PostgreSQL (${DUR}s, 64 connections)"
export BENCH_TOKEN=$TOKEN
wrk_run me-postgres -t2 -c64 -d"${DUR}s" --latency -s bench/auth_get.lua "$PG_URL/api/v1/users/me"
ME_PG=$(rps me-postgres)
alive "$PG_PID" postgres

bench_bookings postgres "$PG_URL"
alive "$PG_PID" postgres

PGB_TPS="" PGB_FAILED="" PGB_SKIP=""
if [ "$(psql_q "SELECT to_regclass('bookings') IS NOT NULL AND to_regclass('services') IS NOT NULL")" != t ]; then
  PGB_SKIP="no bookings or services table in this schema"
else
  say "pgbench: the same single-row INSERT transaction, 32 clients, ${DUR}s"
  PGB_PROVIDER=$(psql_q "INSERT INTO users (name, email, password_hash, role, created_at)
    VALUES ('pgbench provider', 'pgbench-provider@example.com', '!', 'provider', now()) RETURNING id")
  # 32 customers with consecutive ids: client c books as customer0 + c % 32, as the wrk
  # script spreads its requests over 32 customers.
  PGB_CUSTOMER=$(psql_q "WITH c AS (INSERT INTO users (name, email, password_hash, role, created_at)
    SELECT 'pgbench customer ' || i, 'pgbench-customer-' || i || '@example.com', '!', 'customer', now()
    FROM generate_series(0, 31) i RETURNING id) SELECT min(id) || ' ' || max(id) FROM c")
  read -r PGB_CUSTOMER PGB_CUSTOMER_LAST <<<"$PGB_CUSTOMER"
  [ $((PGB_CUSTOMER_LAST - PGB_CUSTOMER)) = 31 ] || { echo "bench: pgbench customers' ids are not consecutive" >&2; exit 1; }
  PGB_SERVICE=$(psql_q "INSERT INTO services (provider_id, name, description, duration_minutes,
    buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, min_notice_minutes,
    max_advance_days, cancel_notice_minutes, price_cents, active, created_at)
    VALUES ($PGB_PROVIDER, 'pgbench', '', 5, 0, 0, 5, 0, 730, 0, 0, TRUE, now()) RETURNING id")
  psql_q "CREATE SEQUENCE bench_booking_slot" >/dev/null
  PGB_BASE=$(( ($(date +%s) / 86400 + 1) * 86400 ))
  pgbench -n -c 32 -j 2 -T "$DUR" -f bench/pgbench_booking.sql "${PG_CONN[@]}" \
    -D provider_id="$PGB_PROVIDER" -D service_id="$PGB_SERVICE" -D customer0="$PGB_CUSTOMER" \
    -D base="$PGB_BASE" appointd >"$LOGS/pgbench-booking.txt" 2>&1 ||
    { echo "bench: pgbench failed:" >&2; cat "$LOGS/pgbench-booking.txt" >&2; exit 1; }
  PGB_TPS=$(awk '/^tps = / { printf "%.1f", $3 }' "$LOGS/pgbench-booking.txt")
  PGB_FAILED=$(awk -F': ' '/number of failed transactions/ { split($2, a, " "); print a[1] }' \
    "$LOGS/pgbench-booking.txt")
fi

bench_slots postgres "$PG_URL" "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd"
alive "$PG_PID" postgres
stop_pid "$PG_PID"
tools/pg_cluster.sh stop "$pgdir"
pgdir=""

# --- the report -------------------------------------------------------------------

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

row "a. GET /health, bare libmicrohttpd (median of 3 × ${HEALTH_DUR} s, 64 connections)" \
  "$(printf '%.0f' "$HEALTH_BARE") req/s" "baseline" "—"
row "a. GET /health, appointd on SQLite (same)" "$(printf '%.0f' "$HEALTH_APP") req/s" "—" "—"
row "a. appointd ÷ bare" "$HEALTH_RATIO" "≥ 0.9" "$(verdict_ge "$HEALTH_RATIO" 0.9)"
row "b. bcrypt cost 12, one hash on one core (mean of 10)" "$(calc "$BCRYPT_S * 1000" 1) ms" "—" "—"
row "b. bcrypt ceiling = $CORES cores ÷ one hash" "$CEILING logins/s" "—" "—"
row "b. POST /auth/login, BCRYPT_COST=12 (${LOGIN_DUR} s, 8 connections), 200s" \
  "$LOGIN_OK_RPS logins/s" "—" "—"
row "b. login ÷ ceiling" "$LOGIN_RATIO" "≥ 0.9" "$(verdict_ge "$LOGIN_RATIO" 0.9)"
row "b. GET /health p99 while logins saturate the CPUs (4 connections)" \
  "$HEALTH_LOADED_P99 ms" "< 5 ms" "$(verdict_lt "$HEALTH_LOADED_P99" 5)"
row "c. GET /users/me, SQLite (${DUR} s, 64 connections)" "$(printf '%.0f' "$ME_SQ") req/s" "—" "—"
row "c. GET /users/me, PostgreSQL (${DUR} s, 64 connections)" "$(printf '%.0f' "$ME_PG") req/s" "—" "—"
row "d. idle RSS (after start-up and a few requests)" "$((RSS_IDLE / 1024)) MiB ($RSS_IDLE kB)" "—" "—"

if [ -n "$PGB_SKIP" ]; then
  row "e. pgbench single-row INSERT transaction (32 clients)" "not measured: $PGB_SKIP" "baseline" "—"
else
  row "e. pgbench single-row INSERT transaction (32 clients, ${DUR} s)" "$PGB_TPS tx/s" "baseline" "—"
fi
for engine in postgres sqlite; do
  skip_var=BOOK_${engine}_SKIP
  label=PostgreSQL
  [ "$engine" = sqlite ] && label=SQLite
  if [ -n "${!skip_var:-}" ]; then
    row "e. POST /bookings, $label (32 connections)" "not measured: ${!skip_var}" "—" "—"
    [ "$engine" = postgres ] && row "e. bookings ÷ pgbench" "not measured" "≥ 0.7" "—"
  else
    ok_var=BOOK_${engine}_OK_RPS non_var=BOOK_${engine}_NON2XX st_var=BOOK_${engine}_STATUSES
    p_var=BOOK_${engine}_P99
    row "e. POST /bookings, $label (${DUR} s, 32 connections), 201s" \
      "${!ok_var} bookings/s (non-2xx: ${!non_var}; statuses ${!st_var}; p99 ${!p_var} ms)" "—" "—"
    if [ "$engine" = postgres ] && [ -n "$PGB_SKIP" ]; then
      row "e. bookings ÷ pgbench" "not measured: no pgbench figure" "≥ 0.7" "—"
    elif [ "$engine" = postgres ]; then
      BOOK_RATIO=$(calc "${!ok_var} / $PGB_TPS" 3)
      row "e. bookings ÷ pgbench" "$BOOK_RATIO" "≥ 0.7" "$(verdict_ge "$BOOK_RATIO" 0.7)"
    fi
  fi
done
for engine in postgres sqlite; do
  skip_var=SLOTS_${engine}_SKIP
  label=PostgreSQL
  [ "$engine" = sqlite ] && label=SQLite
  if [ -n "${!skip_var:-}" ]; then
    row "e. GET /services/{id}/slots, 7 days, $SLOT_BOOKINGS bookings, $label" \
      "not measured: ${!skip_var}" "p99 < 5 ms" "—"
    continue
  fi
  for kind in 5 60; do
    for conns in 1 4; do
      p_var=SLOTS_${engine}_${kind}_C${conns}_P99 r_var=SLOTS_${engine}_${kind}_C${conns}_RPS
      c_var=SLOTS_${engine}_${kind}_COUNT n_var=SLOTS_${engine}_${kind}_C${conns}_NON2XX
      target="p99 < 5 ms" verdict=$(verdict_lt "${!p_var}" 5)
      [ "$conns" = 4 ] && target="—" verdict="—"
      row "e. GET /services/{id}/slots, 7 days, $kind-minute service, $SLOT_BOOKINGS bookings, $label ($conns connection(s))" \
        "p99 ${!p_var} ms (${!r_var} req/s; ${!c_var} slots a response; non-2xx ${!n_var})" \
        "$target" "$verdict"
    done
  done
done

note "While logins ran (the probe paced at one request per connection every ${BENCH_PROBE_DELAY_MS:-5} ms), logins ran at $LOGIN_BG_RPS requests/s and the /health probe at $HEALTH_LOADED_RPS requests/s."
note "During the login run appointd used $LOGIN_CORES of $CORES cores, $(calc "$LOGIN_CORES * 1000 / ($LOGIN_OK_RPS > 0 ? $LOGIN_OK_RPS : 1)" 0) ms of CPU a login (one hash: $(calc "$BCRYPT_S * 1000" 0) ms); the CPUs sat idle for $LOGIN_IDLE core-equivalents and the remaining $(calc "$CORES - $LOGIN_CORES - $LOGIN_IDLE" 2) went to other processes (wrk, other work on the machine)."
note "$CORES bcrypt processes hashing at once reached $PAR_RATE hashes/s together (the ceiling above assumes $CORES × one core's rate)."
note "RSS of the same SQLite process after all its load: $((RSS_AFTER / 1024)) MiB."
note "/health non-2xx answers from appointd over the 3 rounds: $HEALTH_ERR; socket errors in round 3: $(sockerr health-appointd-3)."
note "Login statuses: $(statuses login); /users/me non-2xx: SQLite $(non2xx me-sqlite), PostgreSQL $(non2xx me-postgres)."
[ -n "$PGB_SKIP" ] || note "pgbench failed transactions: ${PGB_FAILED:-?}."
[ -n "$SLOTS_RANGE" ] && note "Slots query: $SLOTS_RANGE."

{
  echo "# Performance"
  echo
  echo "Written by \`bash bench/run.sh\` (\`make bench\`); overwritten at each run."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $DATE |"
  echo "| CPU | $CPU_MODEL |"
  echo "| cores (nproc) | $CORES |"
  echo "| kernel | $(uname -r) |"
  echo "| libmicrohttpd | $MHD_VERSION |"
  echo "| PostgreSQL | $PG_VERSION |"
  echo "| SQLite | $SQLITE_VERSION |"
  echo "| wrk | $WRK_VERSION |"
  echo "| appointd | $GIT_REV |"
  echo "| load average (1, 5, 15 min) before the run | $LOAD_BEFORE |"
  echo "| load average after the run | $LOAD_AFTER |"
  echo
  echo "## Figures"
  echo
  echo "Targets are informational: the run does not fail on a MISS. A load average well"
  echo "above 0 before the run means other work shared the CPUs and every figure is low."
  echo
  echo "| measurement | value | target | result |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf -- '- %s\n' "${NOTES[@]}"
  echo
  echo "## How it was measured"
  echo
  echo "Load generator, server and database share the same $CORES cores over loopback."
  echo
  echo "- **a.** \`wrk -t2 -c64 -d${HEALTH_DUR}s URL/health\` against appointd (SQLite, default"
  echo "  I/O threads = cores) and against \`bench/bare_mhd.c\`: libmicrohttpd with appointd's daemon"
  echo "  flags (\`MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC\`, thread pool"
  echo "  = cores) sending the same bytes (\`{\"status\":\"ok\"}\`, \`Content-Type: application/json\`, a"
  echo "  random 32-hex-digit \`X-Request-ID\`), its response queued on the second access-handler call"
  echo "  (queued on the first, libmicrohttpd 0.9.75 answers \`Connection: close\`). Three interleaved"
  echo "  rounds; the medians are compared."
  echo "- **b.** \`bench/bcrypt_time.c\` times libxcrypt's \`crypt_rn\` with a \`crypt_gensalt_rn(\"\$2b\$\", 12)\`"
  echo "  salt; the ceiling is cores ÷ that time. Then \`wrk -t2 -c8 -d${LOGIN_DUR}s --timeout 10s"
  echo "  -s bench/login.lua\` against a server at \`BCRYPT_COST=12\` for a user signed up beforehand;"
  echo "  only 200 answers count. Then the same login load runs in the background while"
  echo "  \`wrk -t1 -c4 --latency -s bench/health_probe.lua URL/health\` measures /health's p99: a"
  echo "  paced probe (each connection pauses ${BENCH_PROBE_DELAY_MS:-5} ms between requests) so that it"
  echo "  measures how long a cheap request waits behind bcrypt rather than how fast wrk can spin."
  echo "- **c.** \`wrk -t2 -c64 -d${DUR}s -s bench/auth_get.lua URL/api/v1/users/me\` with a valid token,"
  echo "  on SQLite and on a throwaway PostgreSQL (\`tools/pg_cluster.sh\`: fsync off, trust auth)."
  echo "- **d.** \`VmRSS\` of /proc/PID/status one second after start-up and a dozen requests."
  echo "- **e.** Set-up through the API: a provider open every day 00:00–24:00 UTC, a service of"
  echo "  5 minutes every 5 minutes bookable 730 days ahead, 32 customers. \`wrk -t2 -c32 -d${DUR}s"
  echo "  -s bench/booking.lua\`: every request books a distinct free slot (200 000 slots over 700"
  echo "  days, customers' tokens in turn); only 2xx answers count as bookings. pgbench runs"
  echo "  \`bench/pgbench_booking.sql\` (the same single-row INSERT transaction into \`bookings\`, a"
  echo "  sequence giving distinct slots) with \`-c 32 -j 2 -T ${DUR}\`. Slots: a second provider,"
  echo "  open around the clock, with a 5-minute (every 5 minutes) and a 60-minute (hourly) service;"
  echo "  $SLOT_BOOKINGS 5-minute bookings inserted with SQL, one every 10 minutes from 00:00 to 12:00"
  echo "  UTC of consecutive days centred on today (PostgreSQL: then \`ANALYZE\`); \`wrk -t1 -c1\`"
  echo "  (the latency target: one request at a time) and \`-c4\` (4 at once, informational),"
  echo "  \`-d${DUR}s --latency\`, on \`GET /api/v1/services/{id}/slots?from=D&to=D+6\` for D a week"
  echo "  from today: 2 016 candidates and 1 512 offered slots (72 a morning, 144 an afternoon) for"
  echo "  the 5-minute service; 168 and 84 for the 60-minute one."
  echo
  echo "## Reproduce"
  echo
  echo '```sh'
  echo 'make bench            # installs wrk and PostgreSQL 15 if missing, builds, runs bench/run.sh'
  echo 'bash bench/run.sh     # the same, with what is installed already'
  echo '```'
  echo
  echo "Durations can be changed with BENCH_DURATION (${DUR}), BENCH_HEALTH_DURATION (${HEALTH_DUR}),"
  echo "BENCH_LOGIN_DURATION (${LOGIN_DUR}) and BENCH_SLOT_BOOKINGS (${SLOT_BOOKINGS}). wrk and"
  echo "pgbench output of the last run: \`build/bench/logs/\`."
} >"$OUT"

echo
echo "| measurement | value | target | result |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
printf -- '- %s\n' "${NOTES[@]}"
echo
echo "written: $OUT (logs: $LOGS/)"
