#!/usr/bin/env bash
# appointd's speed, measured in one run and written to docs/PERFORMANCE.md
# (and printed). `make bench` installs wrk and PostgreSQL 15 and builds
# build/appointd first; this script builds its own helpers into build/bench/.
#
#   bash bench/run.sh
#
# Sections: GET /health against a bare libmicrohttpd server; bcrypt's ceiling
# and login throughput, with GET /health latency while logins load the CPUs;
# GET /api/v1/users/me on SQLite and PostgreSQL; idle RSS; bookings (each one
# a booking, its event and its audit entry), without and with Idempotency-Key,
# against a single-row INSERT transaction (pgbench on PostgreSQL,
# bench/sqlite_insert.c on SQLite) in three interleaved rounds, and the slots
# latency with 100 000 bookings; bookings/s with 0 and with 1 000 000 rows in
# events and audit_log; event streams (RSS with 10 000 open, a booking's event
# at 1 000 of them, bookings/s with them open) and webhook deliveries/s while
# bookings run (bench/realtime.sh); suggestions over 62 days with those 100 000
# bookings, and the waitlist: a cancellation's slot booked for the oldest
# entry, and cancellations/s with entries waiting (bench/scheduling.sh). Each figure carries its target and PASS/MISS, for
# information: the script exits 0 unless something crashed. Every process it
# starts, and the PostgreSQL cluster, is stopped on exit. Logs of the last run:
# build/bench/logs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PY=/usr/bin/python3
HELPER=("$PY" "$ROOT/bench/helper.py")
CORES=$(nproc)
DUR=${BENCH_DURATION:-10}            # seconds of each throughput run
WARM_DUR=${BENCH_WARM_DURATION:-3}   # seconds of requests not counted before a latency run
HEALTH_DUR=${BENCH_HEALTH_DURATION:-5}  # seconds of each of the 3 /health rounds
LOGIN_DUR=${BENCH_LOGIN_DURATION:-20}
SLOT_BOOKINGS=${BENCH_SLOT_BOOKINGS:-100000}
OUTBOX_ROWS=${BENCH_OUTBOX_ROWS:-1000000}   # rows added to events and to audit_log
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

say "building bench/bare_mhd.c, bench/bcrypt_time.c, bench/sqlite_insert.c and bench/webhook_sink.c"
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o build/bench/bare_mhd bench/bare_mhd.c \
  $(pkg-config --cflags --libs libmicrohttpd) -lpthread
cc -O2 -Wall -Wextra -o build/bench/bcrypt_time bench/bcrypt_time.c -lcrypt
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o build/bench/sqlite_insert bench/sqlite_insert.c \
  $(pkg-config --cflags --libs sqlite3) -lpthread
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra -o build/bench/webhook_sink bench/webhook_sink.c \
  $(pkg-config --cflags --libs libmicrohttpd) -lpthread

# Float helpers (awk does the arithmetic).
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

APP_PID="" APP_URL="" APP_NAME=""
APP_ENV=() # NAME=VALUE words start_appointd adds to the server's environment
# start_appointd NAME DATABASE_URL BCRYPT_COST: sets APP_PID, APP_URL and APP_NAME
# (its log: $LOGS/appointd-NAME.log).
start_appointd() {
  local name=$1 url=$2 cost=$3 port
  APP_NAME=$name
  port=$("${HELPER[@]}" free-port)
  env APPOINTD_HOST=127.0.0.1 APPOINTD_PORT="$port" DATABASE_URL="$url" JWT_SECRET=$JWT \
    BCRYPT_COST="$cost" APPOINTD_LOG_LEVEL=warn ACCESS_TOKEN_EXPIRE_MINUTES=120 \
    SIGNUP_MAX_PER_IP=1000000 "${APP_ENV[@]}" \
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
# Also keeps the share of CPU time the hypervisor stole during the run
# (steal NAME): a latency tail measured while it is high is the host's.
wrk_run() {
  local name=$1 s0 c0 s1 c1
  shift
  read -r s0 c0 < <(cpu_steal)
  if ! wrk "$@" >"$LOGS/wrk-$name.txt" 2>&1; then
    echo "bench: wrk $name failed:" >&2
    cat "$LOGS/wrk-$name.txt" >&2
    exit 1
  fi
  read -r s1 c1 < <(cpu_steal)
  calc "100 * ($s1 - $s0) / ($c1 - $c0 > 0 ? $c1 - $c0 : 1)" 1 >"$LOGS/steal-$name.txt"
}
steal() { cat "$LOGS/steal-$1.txt"; }
rps() { awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$LOGS/wrk-$1.txt"; }
# p99 (p50) in milliseconds (wrk prints us, ms, s or m).
p99() { pct 99% "$1"; }
p50() { pct 50% "$1"; }
pct() {
  awk -v p="$1" '$1 == p { v = $2
         if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
         else if (v ~ /ms$/) { sub(/ms$/, "", v) }
         else if (v ~ /m$/) { sub(/m$/, "", v); v *= 60000 }
         else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
         printf "%.2f", v }' "$LOGS/wrk-$2.txt"
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

# g. event streams and h. webhook deliveries.
# shellcheck source=bench/realtime.sh
source bench/realtime.sh
# shellcheck source=bench/scheduling.sh
source bench/scheduling.sh

ROWS=()
NOTES=()
# row MEASUREMENT VALUE TARGET VERDICT
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }
note() { NOTES+=("$*"); }
verdict_ge() { if ge "$1" "$2"; then echo PASS; else echo MISS; fi; }
verdict_lt() { if lt "$1" "$2"; then echo PASS; else echo MISS; fi; }
# verdict_within VALUE LOW HIGH
verdict_within() { if ge "$1" "$2" && ge "$3" "$1"; then echo PASS; else echo MISS; fi; }
# thousands N: 1000000 -> "1 000 000".
thousands() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\| \)/\1 \2\3/' -e 'ta'; }

# --- machine ------------------------------------------------------------------

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MHD_VERSION=$(pkg-config --modversion libmicrohttpd)
PG_VERSION=$(psql --version | awk '{ print $3 }')
SQLITE_VERSION=$(pkg-config --modversion sqlite3)
WRK_VERSION=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU time, and the part of it the hypervisor gave to other guests (steal),
# in clock ticks of all CPUs: /proc/stat's first line.
cpu_steal() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t; exit }' /proc/stat; }
read -r STEAL0 CPU0 < <(cpu_steal)
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

# keep VAR VALUE: sets the (dynamically named) variable VAR.
keep() { printf -v "$1" '%s' "$2"; }
# statuses_sum NAME...: the status counts of several wrk runs, added up.
statuses_sum() {
  local n files=()
  for n in "$@"; do files+=("$LOGS/wrk-$n.txt"); done
  awk '$1 == "status" { c[$2] += $3 } END { for (k in c) printf "%s %s\n", k, c[k] }' "${files[@]}" |
    sort -n | awk '{ printf "%s%s×%s", sep, $1, $2; sep = ", " } END { if (NR == 0) print "none" }'
}
# joined A B ...: "A, B, ...".
joined() { local IFS=,; local s="$*"; echo "${s//,/, }"; }

BOOK_SKIP="" BOOK_TOKENS="" BOOK_SERVICE="" BOOK_BASE="" BOOK_PROVIDER_TOKEN=""
BOOK_OK="" BOOK_NON2XX="" BOOK_P99=""
# book_setup URL: a provider open around the clock, a 5-minute service and 32
# customers of their own, through the API: sets BOOK_TOKENS, BOOK_SERVICE,
# BOOK_BASE and BOOK_PROVIDER_TOKEN, or BOOK_SKIP.
book_setup() {
  # shellcheck disable=SC2034  # PROVIDER_ID, CUSTOMER_ID: set by the helper, kept local
  local SKIP="" PROVIDER_ID="" PROVIDER_TOKEN="" SERVICE_ID="" CUSTOMER_ID="" BASE="" TOKENS="" setup
  setup=$("${HELPER[@]}" booking-setup "$1" 32)
  eval "$setup"
  BOOK_SKIP=$SKIP BOOK_TOKENS=$TOKENS BOOK_SERVICE=$SERVICE_ID BOOK_BASE=$BASE
  BOOK_PROVIDER_TOKEN=$PROVIDER_TOKEN
}

# book_wrk NAME URL SCRIPT: one wrk run of POST /api/v1/bookings (${DUR} s, 32
# connections, every request a distinct free slot of book_setup's service). Sets
# BOOK_OK (the rate of 2xx answers), BOOK_NON2XX and BOOK_P99.
book_wrk() {
  local name=$1 url=$2 script=$3 r ok total
  say "POST /api/v1/bookings: $name (${DUR}s, 32 connections, distinct slots, $script)"
  BENCH_TOKENS=$BOOK_TOKENS BENCH_SERVICE_ID=$BOOK_SERVICE BENCH_BASE=$BOOK_BASE BENCH_THREADS=2 \
    wrk_run "book-$name" -t2 -c32 -d"${DUR}s" --latency -s "$script" "$url/api/v1/bookings"
  r=$(rps "book-$name")
  ok=$(status_count "book-$name" '2[0-9][0-9]')
  total=$(status_count "book-$name" '[0-9]+')
  BOOK_OK=$(calc "$r * ($total > 0 ? $ok / $total : 0)" 1)
  BOOK_NON2XX=$((total - ok))
  BOOK_P99=$(p99 "book-$name")
}

BASE_TPS="" BASE_FAILED=""
# pgbench_round N: round N of the PostgreSQL baseline (PGB_*: pgbench's provider,
# customers and service, made in the PostgreSQL section): sets BASE_TPS and
# BASE_FAILED.
pgbench_round() {
  local log=$LOGS/pgbench-booking-$1.txt
  say "pgbench round $1/3: the same single-row INSERT transaction (32 clients, ${DUR}s)"
  pgbench -n -c 32 -j 2 -T "$DUR" -f bench/pgbench_booking.sql "${PG_CONN[@]}" \
    -D provider_id="$PGB_PROVIDER" -D service_id="$PGB_SERVICE" -D customer0="$PGB_CUSTOMER" \
    -D base="$PGB_BASE" appointd >"$log" 2>&1 ||
    { echo "bench: pgbench failed:" >&2; cat "$log" >&2; exit 1; }
  BASE_TPS=$(awk '/^tps = / { printf "%.1f", $3 }' "$log")
  BASE_FAILED=$(awk -F': ' '/number of failed transactions/ { split($2, a, " "); n = a[1] }
    END { print n + 0 }' "$log")
}

# sqlite_round N: round N of the SQLite baseline, bench/sqlite_insert.c on
# $work/baseline.db (32 threads): sets BASE_TPS and BASE_FAILED.
sqlite_round() {
  local log=$LOGS/sqlite-insert-$1.txt
  say "sqlite_insert round $1/3: single-row INSERT transactions (32 threads, ${DUR}s)"
  build/bench/sqlite_insert "$work/baseline.db" 32 "$DUR" >"$log" 2>&1 ||
    { echo "bench: sqlite_insert failed:" >&2; cat "$log" >&2; exit 1; }
  BASE_TPS=$(awk '$1 == "tps" { print $2 }' "$log")
  BASE_FAILED=$(awk '$1 == "failed" { print $2 }' "$log")
}

# sealed ENGINE TARGET: waits (at most 300 s) until appointd's sealer has chained
# every audit entry, so that its catching up does not share the CPUs with the
# next run; adds the wait to SEAL_WAITS.
SEAL_WAITS=()
sealed() {
  local SEALED="" WAITED="" setup
  setup=$("${HELPER[@]}" wait-sealed "$1" "$2" 300)
  eval "$setup"
  SEAL_WAITS+=("$WAITED")
  [ "$SEALED" = 1 ] || note "The sealer had not caught up after $WAITED s ($1)."
}

# bench_bookings ENGINE URL TARGET BASELINE BASELINE_SKIP: three interleaved rounds
# of appointd without Idempotency-Key, the baseline (the function BASELINE ROUND;
# not run when BASELINE_SKIP says why), appointd with a fresh key per request;
# before each run, the sealer catches up on TARGET (the database).
# For KIND plain and keyed sets BOOK_<ENGINE>_<KIND>_OK (median of the rounds'
# 2xx rates), _ROUNDS, _RATIO (median of the rounds' KIND ÷ baseline), _RATIOS,
# _NON2XX (all rounds), _STATUSES, _P99 (median); BOOK_<ENGINE>_BASE (median),
# _BASE_ROUNDS, _BASE_FAILED; or BOOK_<ENGINE>_SKIP.
bench_bookings() {
  local engine=$1 url=$2 target=$3 baseline=$4 base_skip=$5 round kind i
  local base=() plain=() keyed=() plain_p99=() keyed_p99=() plain_q=() keyed_q=()
  local plain_n=0 keyed_n=0 base_failed=0
  for round in 1 2 3; do
    book_setup "$url"
    if [ -n "$BOOK_SKIP" ]; then
      keep "BOOK_${engine}_SKIP" "$BOOK_SKIP"
      return 0
    fi
    sealed "$engine" "$target"
    book_wrk "$engine-plain-$round" "$url" bench/booking.lua
    plain+=("$BOOK_OK") plain_p99+=("$BOOK_P99") plain_n=$((plain_n + BOOK_NON2XX))
    alive "$APP_PID" "$APP_NAME"
    if [ -z "$base_skip" ]; then
      sealed "$engine" "$target"
      "$baseline" "$round"
      base+=("$BASE_TPS") base_failed=$((base_failed + BASE_FAILED))
    fi
    book_setup "$url"
    sealed "$engine" "$target"
    book_wrk "$engine-keyed-$round" "$url" bench/booking_keyed.lua
    keyed+=("$BOOK_OK") keyed_p99+=("$BOOK_P99") keyed_n=$((keyed_n + BOOK_NON2XX))
    alive "$APP_PID" "$APP_NAME"
  done
  if [ -z "$base_skip" ]; then
    for i in 0 1 2; do
      plain_q+=("$(calc "${plain[i]} / ${base[i]}" 3)")
      keyed_q+=("$(calc "${keyed[i]} / ${base[i]}" 3)")
    done
    keep "BOOK_${engine}_BASE" "$(median "${base[@]}")"
    keep "BOOK_${engine}_BASE_ROUNDS" "$(joined "${base[@]}")"
    keep "BOOK_${engine}_BASE_FAILED" "$base_failed"
    keep "BOOK_${engine}_PLAIN_RATIO" "$(median "${plain_q[@]}")"
    keep "BOOK_${engine}_PLAIN_RATIOS" "$(joined "${plain_q[@]}")"
    keep "BOOK_${engine}_KEYED_RATIO" "$(median "${keyed_q[@]}")"
    keep "BOOK_${engine}_KEYED_RATIOS" "$(joined "${keyed_q[@]}")"
  fi
  for kind in plain keyed; do
    local -n ok_r=$kind p99_r=${kind}_p99 n_r=${kind}_n
    local upper=${kind^^}
    keep "BOOK_${engine}_${upper}_OK" "$(median "${ok_r[@]}")"
    keep "BOOK_${engine}_${upper}_ROUNDS" "$(joined "${ok_r[@]}")"
    keep "BOOK_${engine}_${upper}_P99" "$(median "${p99_r[@]}")"
    keep "BOOK_${engine}_${upper}_NON2XX" "$n_r"
    keep "BOOK_${engine}_${upper}_STATUSES" \
      "$(statuses_sum "book-$engine-$kind-1" "book-$engine-$kind-2" "book-$engine-$kind-3")"
    unset -n ok_r p99_r n_r
  done
}

# bench_outbox ENGINE DATABASE_URL TARGET: appointd on a fresh database (TARGET: the
# SQLite file, or psql's connection words), bookings/s with events and audit_log
# (next to) empty, then with OUTBOX_ROWS more rows in each (helper.py outbox-fill).
# For STATE EMPTY and FULL sets OUTBOX_<ENGINE>_<STATE>_OK, _P99, _NON2XX, _EVENTS
# and _AUDIT (rows before the run); and OUTBOX_<ENGINE>_RATIO (FULL ÷ EMPTY),
# _FILL_S; or OUTBOX_<ENGINE>_SKIP.
bench_outbox() {
  local engine=$1 url=$2 target=$3 state upper setup pid
  local SKIP="" EVENTS="" AUDIT="" FILL_SECONDS=""
  say "starting appointd on a fresh $engine database (BCRYPT_COST=4): events and audit_log empty"
  start_appointd "$engine-outbox" "$url" 4
  pid=$APP_PID
  for state in empty full; do
    upper=${state^^}
    if [ "$state" = full ]; then
      # The sealer first chains what the first run wrote: the rows inserted next
      # come sealed.
      sealed "$engine" "$target"
      say "$engine: $OUTBOX_ROWS rows into events and into audit_log with SQL"
      setup=$("${HELPER[@]}" outbox-fill "$engine" "$target" "$OUTBOX_ROWS")
      eval "$setup"
      if [ -n "$SKIP" ]; then
        keep "OUTBOX_${engine}_SKIP" "$SKIP"
        stop_pid "$pid"
        return 0
      fi
      keep "OUTBOX_${engine}_FILL_S" "$FILL_SECONDS"
    fi
    book_setup "$APP_URL"
    if [ -n "$BOOK_SKIP" ]; then
      keep "OUTBOX_${engine}_SKIP" "$BOOK_SKIP"
      stop_pid "$pid"
      return 0
    fi
    sealed "$engine" "$target"
    setup=$("${HELPER[@]}" outbox-count "$engine" "$target")
    eval "$setup"
    keep "OUTBOX_${engine}_${upper}_EVENTS" "$EVENTS"
    keep "OUTBOX_${engine}_${upper}_AUDIT" "$AUDIT"
    book_wrk "$engine-outbox-$state" "$APP_URL" bench/booking.lua
    alive "$pid" "$engine-outbox"
    keep "OUTBOX_${engine}_${upper}_OK" "$BOOK_OK"
    keep "OUTBOX_${engine}_${upper}_P99" "$BOOK_P99"
    keep "OUTBOX_${engine}_${upper}_NON2XX" "$BOOK_NON2XX"
  done
  local empty_var=OUTBOX_${engine}_EMPTY_OK full_var=OUTBOX_${engine}_FULL_OK
  keep "OUTBOX_${engine}_RATIO" "$(calc "${!full_var} / (${!empty_var} > 0 ? ${!empty_var} : 1)" 3)"
  stop_pid "$pid"
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
    # latency with 4 at once on these 2 cores, shared with wrk and the database;
    # first WARM_DUR seconds not counted, as a server in use is warm.
    BENCH_TOKEN=$SLOTS_TOKEN wrk_run "slots-$engine-$kind-warm" -t1 -c1 -d"${WARM_DUR}s" \
      -s bench/auth_get.lua "$url$path"
    for conns in 1 4; do
      say "GET $path on $engine (${DUR}s, $conns connection(s))"
      BENCH_TOKEN=$SLOTS_TOKEN wrk_run "slots-$engine-$kind-c$conns" -t1 -c"$conns" -d"${DUR}s" \
        --latency -s bench/auth_get.lua "$url$path"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_P99" '%s' "$(p99 "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_P50" '%s' "$(p50 "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_STEAL" '%s' "$(steal "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_RPS" '%s' "$(rps "slots-$engine-$kind-c$conns")"
      printf -v "SLOTS_${engine}_${kind}_C${conns}_NON2XX" '%s' "$(non2xx "slots-$engine-$kind-c$conns")"
    done
    printf -v "SLOTS_${engine}_${kind}_COUNT" '%s' "$COUNT"
  done
  bench_suggestions "$engine" "$url" "$SLOTS_TOKEN" "$SLOTS_FROM" "$SLOTS_SERVICE_ID" "$SLOTS_SERVICE60_ID"
  SLOTS_RANGE="from $SLOTS_FROM to $SLOTS_TO; bookings from $SLOTS_FIRST to $SLOTS_LAST"
}

SLOTS_RANGE=""
say "the SQLite baseline's database: build/appointd migrate on a fresh file"
DATABASE_URL="sqlite:$work/baseline.db" build/appointd migrate >"$LOGS/migrate-sqlite-baseline.log" 2>&1 ||
  { echo "bench: appointd migrate failed:" >&2; cat "$LOGS/migrate-sqlite-baseline.log" >&2; exit 1; }
say "starting appointd on a fresh SQLite database (BCRYPT_COST=4: set-up only)"
start_appointd sqlite-booking "sqlite:$work/booking.db" 4
SQB_PID=$APP_PID
bench_bookings sqlite "$APP_URL" "$work/booking.db" sqlite_round ""
alive "$SQB_PID" sqlite-booking
bench_slots sqlite "$APP_URL" "$work/booking.db"
alive "$SQB_PID" sqlite-booking
stop_pid "$SQB_PID"
bench_outbox sqlite "sqlite:$work/outbox.db" "$work/outbox.db"
bench_streams
bench_waitlist sqlite "sqlite:$work/waitlist.db" "$work/waitlist.db"

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

# pgbench's provider, 32 customers and service, in SQL, for bench/pgbench_booking.sql:
# sets PGB_PROVIDER, PGB_CUSTOMER, PGB_SERVICE and PGB_BASE, or PGB_SKIP.
PGB_SKIP="" PGB_PROVIDER="" PGB_CUSTOMER="" PGB_SERVICE="" PGB_BASE=""
pgbench_setup() {
  local last
  if [ "$(psql_q "SELECT to_regclass('bookings') IS NOT NULL AND to_regclass('services') IS NOT NULL")" != t ]; then
    PGB_SKIP="no bookings or services table in this schema"
    return 0
  fi
  PGB_PROVIDER=$(psql_q "INSERT INTO users (name, email, password_hash, role, created_at)
    VALUES ('pgbench provider', 'pgbench-provider@example.com', '!', 'provider', now()) RETURNING id")
  # 32 customers with consecutive ids: client c books as customer0 + c % 32, as the wrk
  # script spreads its requests over 32 customers.
  PGB_CUSTOMER=$(psql_q "WITH c AS (INSERT INTO users (name, email, password_hash, role, created_at)
    SELECT 'pgbench customer ' || i, 'pgbench-customer-' || i || '@example.com', '!', 'customer', now()
    FROM generate_series(0, 31) i RETURNING id) SELECT min(id) || ' ' || max(id) FROM c")
  read -r PGB_CUSTOMER last <<<"$PGB_CUSTOMER"
  [ $((last - PGB_CUSTOMER)) = 31 ] || { echo "bench: pgbench customers' ids are not consecutive" >&2; exit 1; }
  PGB_SERVICE=$(psql_q "INSERT INTO services (provider_id, name, description, duration_minutes,
    buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, min_notice_minutes,
    max_advance_days, cancel_notice_minutes, price_cents, active, created_at)
    VALUES ($PGB_PROVIDER, 'pgbench', '', 5, 0, 0, 5, 0, 730, 0, 0, TRUE, now()) RETURNING id")
  # One sequence for all rounds: every round's slots follow the last round's.
  psql_q "CREATE SEQUENCE bench_booking_slot" >/dev/null
  PGB_BASE=$(( ($(date +%s) / 86400 + 1) * 86400 ))
}
pgbench_setup

bench_bookings postgres "$PG_URL" "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd" pgbench_round "$PGB_SKIP"
alive "$PG_PID" postgres

bench_slots postgres "$PG_URL" "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd"
alive "$PG_PID" postgres
stop_pid "$PG_PID"
bench_webhooks "postgresql://postgres@127.0.0.1:$PGPORT_/appointd"
psql_q "CREATE DATABASE appointd_waitlist" >/dev/null
bench_waitlist postgres "postgresql://postgres@127.0.0.1:$PGPORT_/appointd_waitlist" \
  "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd_waitlist"

psql_q "CREATE DATABASE appointd_outbox" >/dev/null
bench_outbox postgres "postgresql://postgres@127.0.0.1:$PGPORT_/appointd_outbox" \
  "-h 127.0.0.1 -p $PGPORT_ -U postgres appointd_outbox"
tools/pg_cluster.sh stop "$pgdir"
pgdir=""

# --- the report -------------------------------------------------------------------

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
read -r STEAL1 CPU1 < <(cpu_steal)
STEAL_PCT=$(calc "100 * ($STEAL1 - $STEAL0) / ($CPU1 - $CPU0 > 0 ? $CPU1 - $CPU0 : 1)" 1)

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

for engine in postgres sqlite; do
  skip_var=BOOK_${engine}_SKIP
  label=PostgreSQL base_label="pgbench \`bench/pgbench_booking.sql\`" base_unit="32 clients" base_name=pgbench
  if [ "$engine" = sqlite ]; then
    label=SQLite base_label="\`bench/sqlite_insert.c\`" base_unit="32 threads" base_name=sqlite_insert
  fi
  base_skip=""
  [ "$engine" = postgres ] && base_skip=$PGB_SKIP
  if [ -n "$base_skip" ]; then
    row "e. $base_label: single-row INSERT transaction, $label ($base_unit)" "not measured: $base_skip" \
      "baseline" "—"
  elif [ -z "${!skip_var:-}" ]; then
    b_var=BOOK_${engine}_BASE br_var=BOOK_${engine}_BASE_ROUNDS
    row "e. $base_label: single-row INSERT transaction, $label ($base_unit; median of 3 × ${DUR} s)" \
      "${!b_var} tx/s (rounds: ${!br_var})" "baseline" "—"
  fi
  if [ -n "${!skip_var:-}" ]; then
    row "e. POST /bookings, $label (32 connections)" "not measured: ${!skip_var}" "—" "—"
    row "e. bookings ÷ $base_name, without and with Idempotency-Key" "not measured" "≥ 0.7" "—"
    continue
  fi
  for kind in PLAIN KEYED; do
    how="no Idempotency-Key" what="bookings ÷ $base_name, no Idempotency-Key"
    if [ "$kind" = KEYED ]; then
      how="a fresh Idempotency-Key each" what="bookings with Idempotency-Key ÷ $base_name"
    fi
    v=BOOK_${engine}_${kind}
    ok_var=${v}_OK r_var=${v}_ROUNDS non_var=${v}_NON2XX st_var=${v}_STATUSES p_var=${v}_P99
    q_var=${v}_RATIO qs_var=${v}_RATIOS
    row "e. POST /bookings, $label, $how (32 connections; median of 3 × ${DUR} s, interleaved with $base_name), 201s" \
      "${!ok_var} bookings/s (rounds: ${!r_var}; non-2xx: ${!non_var}; statuses ${!st_var}; median p99 ${!p_var} ms)" \
      "—" "—"
    if [ -n "$base_skip" ]; then
      row "e. $what" "not measured: no $base_name figure" "≥ 0.7" "—"
    else
      row "e. $what (median of the 3 rounds' ratios)" "${!q_var} (rounds: ${!qs_var})" "≥ 0.7" \
        "$(verdict_ge "${!q_var}" 0.7)"
    fi
  done
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
      m_var=SLOTS_${engine}_${kind}_C${conns}_P50 st_var=SLOTS_${engine}_${kind}_C${conns}_STEAL
      target="p99 < 5 ms" verdict=$(verdict_lt "${!p_var}" 5)
      [ "$conns" = 4 ] && target="—" verdict="—"
      row "e. GET /services/{id}/slots, 7 days, $kind-minute service, $SLOT_BOOKINGS bookings, $label ($conns connection(s))" \
        "p99 ${!p_var} ms (p50 ${!m_var} ms; ${!r_var} req/s; ${!c_var} slots a response; non-2xx ${!n_var}; steal ${!st_var} %)" \
        "$target" "$verdict"
    done
  done
done

OUTBOX_ROWS_TEXT=$(thousands "$OUTBOX_ROWS")
for engine in postgres sqlite; do
  label=PostgreSQL
  [ "$engine" = sqlite ] && label=SQLite
  skip_var=OUTBOX_${engine}_SKIP
  if [ -n "${!skip_var:-}" ]; then
    row "f. POST /bookings, $label, with 0 and with $OUTBOX_ROWS_TEXT rows in events and audit_log" \
      "not measured: ${!skip_var}" "within 10 %" "—"
    continue
  fi
  for state in EMPTY FULL; do
    v=OUTBOX_${engine}_${state}
    ok_var=${v}_OK p_var=${v}_P99 n_var=${v}_NON2XX ev_var=${v}_EVENTS au_var=${v}_AUDIT
    if [ "$state" = EMPTY ]; then
      what="fresh database, events and audit_log empty but for the set-up's"
    else
      what="the same after $OUTBOX_ROWS_TEXT rows more in each"
    fi
    row "f. POST /bookings, $label, no Idempotency-Key, $what (${!ev_var} events, ${!au_var} audit entries before the run; ${DUR} s, 32 connections), 201s" \
      "${!ok_var} bookings/s (p99 ${!p_var} ms; non-2xx: ${!n_var})" "—" "—"
  done
  q_var=OUTBOX_${engine}_RATIO
  row "f. $label: bookings/s with $OUTBOX_ROWS_TEXT rows ÷ with 0" "${!q_var}" "0.9 – 1.1 (within 10 %)" \
    "$(verdict_within "${!q_var}" 0.9 1.1)"
done

note "While logins ran (the probe paced at one request per connection every ${BENCH_PROBE_DELAY_MS:-5} ms), logins ran at $LOGIN_BG_RPS requests/s and the /health probe at $HEALTH_LOADED_RPS requests/s."
note "During the login run appointd used $LOGIN_CORES of $CORES cores, $(calc "$LOGIN_CORES * 1000 / ($LOGIN_OK_RPS > 0 ? $LOGIN_OK_RPS : 1)" 0) ms of CPU a login (one hash: $(calc "$BCRYPT_S * 1000" 0) ms); the CPUs sat idle for $LOGIN_IDLE core-equivalents and the remaining $(calc "$CORES - $LOGIN_CORES - $LOGIN_IDLE" 2) went to other processes (wrk, other work on the machine)."
note "$CORES bcrypt processes hashing at once reached $PAR_RATE hashes/s together (the ceiling above assumes $CORES × one core's rate)."
note "RSS of the same SQLite process after all its load: $((RSS_AFTER / 1024)) MiB."
note "/health non-2xx answers from appointd over the 3 rounds: $HEALTH_ERR; socket errors in round 3: $(sockerr health-appointd-3)."
note "Login statuses: $(statuses login); /users/me non-2xx: SQLite $(non2xx me-sqlite), PostgreSQL $(non2xx me-postgres)."
[ -n "${BOOK_postgres_BASE_FAILED:-}" ] &&
  note "pgbench failed transactions (3 rounds): $BOOK_postgres_BASE_FAILED; sqlite_insert failed transactions (3 rounds): ${BOOK_sqlite_BASE_FAILED:-?}."
for engine in postgres sqlite; do
  label=PostgreSQL
  [ "$engine" = sqlite ] && label=SQLite
  f_var=OUTBOX_${engine}_FILL_S
  [ -n "${!f_var:-}" ] && note "$label: inserting $OUTBOX_ROWS_TEXT rows into events and into audit_log took ${!f_var} s."
done
[ ${#SEAL_WAITS[@]} -gt 0 ] &&
  note "Waits for the sealer to catch up before the booking runs and baseline rounds (${#SEAL_WAITS[@]}): $(printf '%s\n' "${SEAL_WAITS[@]}" | awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.1f s in all, the longest %.1f s", s, m }')."
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
  echo "| CPU time stolen by the hypervisor during the run (steal) | ${STEAL_PCT} % |"
  echo
  echo "## Figures"
  echo
  echo "Targets are informational: the run does not fail on a MISS. A load average well"
  echo "above 0 before the run means other work shared the CPUs and every figure is low."
  echo "Steal is CPU time this virtual machine's host gave to other guests: above a few"
  echo "per cent, latency tails (p99) are the host's as much as appointd's. The slots and"
  echo "suggestions rows give the steal during their own run, and their p50 beside the p99."
  echo
  echo "| measurement | value | target | result |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}" "${RT_ROWS[@]}"
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
  echo "- **e. Bookings.** Each wrk run has a set-up of its own through the API: a provider open every"
  echo "  day 00:00–24:00 UTC, a service of 5 minutes every 5 minutes bookable 730 days ahead, 32"
  echo "  customers. \`wrk -t2 -c32 -d${DUR}s -s bench/booking.lua\`: every request books a distinct free"
  echo "  slot (200 000 slots over 700 days, customers' tokens in turn); only 2xx answers count as"
  echo "  bookings. Each booking writes the booking, its event and its audit entry in one unit of work"
  echo "  (on PostgreSQL in one statement of data-modifying CTEs; the unit of work's \`BEGIN\` goes"
  echo "  out pipelined with its first statement)."
  echo "  On SQLite, units of work that queue up share one commit (group commit: each in a savepoint,"
  echo "  each answered only after that commit), and checkpoints run on a thread of their own."
  echo "  \`bench/booking_keyed.lua\` sends the same requests, each with an \`Idempotency-Key\` of its"
  echo "  own: a fresh key is not claimed first; the booking's own statement (unit of work on SQLite)"
  echo "  inserts the key's row with its answer. Three interleaved rounds per engine — appointd without a key, the baseline, appointd"
  echo "  with keys — and each ratio is the median of the three rounds' ratios (appointd ÷ the same"
  echo "  round's baseline). PostgreSQL's baseline: pgbench runs \`bench/pgbench_booking.sql\` (a"
  echo "  single-row INSERT transaction into the same \`bookings\` table, exclusion constraint and"
  echo "  all, a sequence giving distinct slots; no event, no audit entry) with \`-c 32 -j 2 -T ${DUR}\`"
  echo "  on the same database. SQLite's: \`bench/sqlite_insert.c\` on a file of its own made by"
  echo "  \`build/appointd migrate\` (the same schema and no-overlap triggers): 32 threads, each with"
  echo "  its own connection set up as appointd's driver sets up its own (WAL, \`synchronous=NORMAL\`,"
  echo "  \`foreign_keys=ON\`, a 10 s busy timeout, the INSERT prepared once), loop \`BEGIN"
  echo "  IMMEDIATE\`, a one-row INSERT, \`COMMIT\`, taking turns on one mutex around each"
  echo "  transaction (SQLite has one writer at a time; SQLite's own automatic checkpoints), for ${DUR} s; 32"
  echo "  customers in turn, distinct 5-minute slots in order. It runs in-process: no HTTP, no session"
  echo "  check, no event or audit row. Before each run and each baseline round the script waits"
  echo "  until appointd's sealer has chained every audit entry (it chains them every second), so"
  echo "  that its catching up does not share the CPUs with what comes next."
  echo "- **e. Slots** (after the booking rounds, on the same database): a second provider,"
  echo "  open around the clock, with a 5-minute (every 5 minutes) and a 60-minute (hourly) service;"
  echo "  $SLOT_BOOKINGS 5-minute bookings inserted with SQL, one every 10 minutes from 00:00 to 12:00"
  echo "  UTC of consecutive days centred on today (PostgreSQL: then \`VACUUM ANALYZE\` and"
  echo "  \`CHECKPOINT\`, as a database in use has been vacuumed); after ${WARM_DUR} s of requests not"
  echo "  counted, \`wrk -t1 -c1\`"
  echo "  (the latency target: one request at a time) and \`-c4\` (4 at once, informational),"
  echo "  \`-d${DUR}s --latency\`, on \`GET /api/v1/services/{id}/slots?from=D&to=D+6\` for D a week"
  echo "  from today: 2 016 candidates and 1 512 offered slots (72 a morning, 144 an afternoon) for"
  echo "  the 5-minute service; 168 and 84 for the 60-minute one."
  echo "- **f.** appointd on a fresh database of each engine, where \`events\` and \`audit_log\` hold"
  echo "  only the set-up's rows: one booking run as in e (no key, ${DUR} s); then"
  echo "  \`bench/helper.py outbox-fill\` adds $OUTBOX_ROWS_TEXT rows to each table with SQL, copies of"
  echo "  the newest \`booking.created\` event and audit entry (the entry's target id counting up) —"
  echo "  on PostgreSQL one \`INSERT … SELECT … FROM generate_series\` a table (the BEFORE INSERT"
  echo "  trigger draws each id under the readers' shared advisory lock), then \`VACUUM ANALYZE\` (so"
  echo "  that autovacuum does not start during the run) and \`CHECKPOINT\`; on SQLite a recursive"
  echo "  CTE, 100 000 rows a transaction, then \`wal_checkpoint(TRUNCATE)\` — and the same run"
  echo "  again, for a new provider. The added audit entries carry a made-up hash, as sealed history"
  echo "  would, so that the sealer (which chains new entries every second) does not spend the second"
  echo "  run chaining them; before each run the script waits until the sealer has caught up. The"
  echo "  ratio is the second run's bookings/s ÷ the first's."
  echo "- **g. Event streams** (\`bench/realtime.sh\`, \`bench/sse_load.py\`: one asyncio client, standard"
  echo "  library only), on SQLite, with \`APPOINTD_MAX_CONNECTIONS\` raised and"
  echo "  \`APPOINTD_PER_IP_CONNECTIONS=0\` (the client is one address). Fan-out: $FANOUT_STREAMS streams of"
  echo "  a provider, then $FANOUT_BOOKINGS bookings of it one after another, 100 ms apart; for each booking"
  echo "  and stream, the time from reading the 201 to reading the event's data line (the client's"
  echo "  own reading of $FANOUT_STREAMS sockets is in the figure). RSS: \`VmRSS\` before and with $STREAMS"
  echo "  streams open (a customer's who books nothing: every event is checked against them, none is"
  echo "  sent). Bookings as in e, four runs: without streams, with them open twice, then without"
  echo "  once the server has let them go (a stream whose client left is noticed at its next ping);"
  echo "  the ratio is the mean of the two with ÷ the mean of the two without."
  echo "- **h. Webhook deliveries**: appointd on PostgreSQL with \`WEBHOOK_ALLOW_PRIVATE=1\`, an admin's"
  echo "  two webhooks for \`booking.created\` to \`bench/webhook_sink.c\` (libmicrohttpd answering"
  echo "  every POST 204, counting them); three rounds of pgbench (as in e) then bookings (as in e)."
  echo "  Deliveries/s during a run: the receiver's count at its end minus at its start ÷ its"
  echo "  length; then the time until every booking of the run was delivered twice. The ratio is"
  echo "  each round's bookings/s ÷ its pgbench tx/s, median of the three."
  echo "- **i. Suggestions** (\`bench/scheduling.sh\`): the provider of e's slots ($SLOT_BOOKINGS bookings),"
  echo "  after ${WARM_DUR} s of requests not counted, \`wrk -t1 -c1 -d${DUR}s --latency\` on"
  echo "  \`GET /api/v1/services/{id}/suggestions?from=D&to=D+61&limit=5\`"
  echo "  (D a week from today) for its 5-minute and its 60-minute service: 62 days of slots ranked."
  echo "- **j. Waitlist** (\`bench/scheduling.sh\`, \`bench/waitlist_load.py\`, \`bench/cancel.lua\`), appointd"
  echo "  on a fresh database of each engine. Latency: a provider open around the clock with a"
  echo "  5-minute service, $WL_ENTRIES auto_book entries over its next 60 days (20 a customer, each"
  echo "  customer's event stream open) and $WL_CANCELS bookings of another customer 10 minutes apart;"
  echo "  the provider cancels them one at a time, and each is timed from the cancellation's 200 to"
  echo "  the \`waitlist.booked\` event of the booking made in its slot. Cancellations/s: runs of"
  echo "  \`wrk -t2 -c32 -d${DUR}s -s bench/cancel.lua\` (each request cancels a distinct booking, as the"
  echo "  provider), each on a provider of its own with $WL_BOOKINGS bookings inserted with SQL back to"
  echo "  back, in three interleaved rounds of three: without entries; with $WL_ENTRIES auto_book entries"
  echo "  over the 60 days of the bookings cancelled first (the waitlist books freed slots during the"
  echo "  run until the entries are used up: the figure says how many); with $WL_ENTRIES entries over 60"
  echo "  days 400 days later, which no cancellation frees (the job reads every cancellation's event"
  echo "  and serves nothing). Each ratio is the median of the three rounds' ratios (a round's run ÷ the"
  echo "  same round's run without entries)."
  echo "  A round without entries runs first and is not counted: the first round was the slowest in"
  echo "  every run (the planner has no statistics of the new tables yet), and it was always one"
  echo "  without entries. On PostgreSQL each round's set-up ends with VACUUM ANALYZE and CHECKPOINT,"
  echo "  so earlier rounds' rows are not vacuumed during a later round at random."
  echo
  echo "## Reproduce"
  echo
  echo '```sh'
  echo 'make bench            # installs wrk and PostgreSQL 15 if missing, builds, runs bench/run.sh'
  echo 'bash bench/run.sh     # the same, with what is installed already'
  echo '```'
  echo
  echo "Durations and sizes can be changed with BENCH_DURATION (${DUR}), BENCH_HEALTH_DURATION"
  echo "(${HEALTH_DUR}), BENCH_LOGIN_DURATION (${LOGIN_DUR}), BENCH_SLOT_BOOKINGS (${SLOT_BOOKINGS}) and"
  echo "BENCH_OUTBOX_ROWS (${OUTBOX_ROWS}), BENCH_STREAMS ($STREAMS), BENCH_FANOUT_STREAMS ($FANOUT_STREAMS) and"
  echo "BENCH_FANOUT_BOOKINGS ($FANOUT_BOOKINGS), BENCH_WAITLIST_ENTRIES ($WL_ENTRIES), BENCH_WAITLIST_CANCELS"
  echo "($WL_CANCELS) and BENCH_WAITLIST_BOOKINGS ($WL_BOOKINGS). wrk, pgbench and sqlite_insert output of the last run:"
  echo "\`build/bench/logs/\`."
} >"$OUT"

echo
echo "| measurement | value | target | result |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}" "${RT_ROWS[@]}"
echo
printf -- '- %s\n' "${NOTES[@]}"
echo
echo "written: $OUT (logs: $LOGS/)"
