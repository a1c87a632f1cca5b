# shellcheck shell=bash disable=SC2034,SC2154  # sourced: run.sh sets and reads these
# Sourced by bench/run.sh (uses its helpers and its $work, $LOGS, ROWS):
# g. event streams on one SQLite process, h. webhook deliveries on PostgreSQL.
#
#   bench_streams          RSS with STREAMS open streams; bookings/s with and
#                          without them; a booking's event to FANOUT_STREAMS
#                          streams of its provider, timed from the 201
#   bench_webhooks PG_URL  deliveries/s to a local receiver (bench/webhook_sink.c)
#                          while bookings run, and bookings ÷ pgbench meanwhile
#                          (needs PG_CONN, psql_q, pgbench_setup's PGB_*)
# Each adds its rows to RT_ROWS with rt_row (MEASUREMENT VALUE TARGET VERDICT),
# which the report prints after run.sh's own.
RT_ROWS=()
rt_row() { RT_ROWS+=("| $1 | $2 | $3 | $4 |"); }

STREAMS=${BENCH_STREAMS:-10000}
FANOUT_STREAMS=${BENCH_FANOUT_STREAMS:-1000}
FANOUT_BOOKINGS=${BENCH_FANOUT_BOOKINGS:-50}

# wait_file FILE SECONDS: until FILE exists; false when the time ran out.
wait_file() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# streams_hold URL TOKEN N: opens N streams in the background (bench/sse_load.py
# hold) and waits until all are open: sets HOLD_PID; HOLD_OUT gets its figures
# once it is stopped with streams_release.
HOLD_PID=""
streams_hold() {
  rm -f "$work/hold-ready"
  "$PY" bench/sse_load.py hold "$1" "$2" "$3" "$work/hold-ready" >"$work/hold.out" 2>"$LOGS/sse-hold.log" &
  HOLD_PID=$!
  pids+=("$HOLD_PID")
  if ! wait_file "$work/hold-ready" 180; then
    echo "bench: $3 streams did not open within 180 s:" >&2
    tail -n 20 "$LOGS/sse-hold.log" >&2
    exit 1
  fi
}
streams_release() {
  kill -TERM "$HOLD_PID" 2>/dev/null || true
  wait "$HOLD_PID" || true
  forget "$HOLD_PID"
}

# streams_gone URL SECONDS: until /metrics says no event stream is open.
streams_gone() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -sf "$1/metrics" | grep -q '^appointd_event_streams_open 0$' && return 0
    sleep 0.1
  done
  return 1
}

bench_streams() {
  local pid url SKIP="" USER_ID="" TOKEN="" setup rss0 rss1 none=() open=() OPEN="" EVENTS="" CLOSED=""
  say "event streams: appointd on SQLite, connection limits raised for $STREAMS streams"
  # Twice the streams: a stream its client closed is noticed at its next
  # write (a ping, 15 s), so one round's may linger into the next.
  APP_ENV=(APPOINTD_MAX_CONNECTIONS=$((2 * STREAMS + 2000)) APPOINTD_PER_IP_CONNECTIONS=0)
  start_appointd streams "sqlite:$work/streams.db" 4
  APP_ENV=()
  pid=$APP_PID url=$APP_URL
  book_setup "$url"
  [ -z "$BOOK_SKIP" ] || { rt_row "g. event streams" "not measured: $BOOK_SKIP" "—" "—"; stop_pid "$pid"; return 0; }
  # The held streams are a customer's who books nothing: every event is read
  # and filtered against all of them, none is sent.
  setup=$("${HELPER[@]}" user "$url" bench-viewer@example.com "$PASSWORD" customer)
  eval "$setup"
  sleep 1
  rss0=$(rss_kb "$pid")
  say "event streams: a booking's event to $FANOUT_STREAMS streams of its provider ($FANOUT_BOOKINGS bookings)"
  # Far past the slots the wrk script takes (700 days from its base).
  local far=$((BOOK_BASE + 720 * 86400)) DELIVERED="" MISSING="" P50_MS="" P99_MS="" MAX_MS=""
  setup=$("$PY" bench/sse_load.py fanout "$url" "$BOOK_PROVIDER_TOKEN" "$FANOUT_STREAMS" \
    "${BOOK_TOKENS%%,*}" "$BOOK_SERVICE" "$far" "$FANOUT_BOOKINGS" 2>"$LOGS/sse-fanout.log") ||
    { echo "bench: sse_load.py fanout failed:" >&2; tail -n 20 "$LOGS/sse-fanout.log" >&2; exit 1; }
  eval "$setup"
  alive "$pid" streams
  # Rounds: without, with, with, without; the streams opened once between.
  # Streams whose client has gone are noticed at their next ping: the last
  # round waits until the server has let them all go.
  local round
  for round in none-1 open-1 open-2 none-2; do
    if [ "$round" = open-1 ]; then
      say "event streams: opening $STREAMS streams"
      streams_hold "$url" "$TOKEN" "$STREAMS"
      sleep 2
      rss1=$(rss_kb "$pid")
    fi
    if [ "$round" = none-2 ]; then
      streams_release
      streams_gone "$url" 30 || note "g. the server still counted open streams 30 s after their client closed them"
    fi
    book_setup "$url" # each run books slots of a service of its own
    sealed sqlite "$work/streams.db"
    book_wrk "streams-$round" "$url" bench/booking.lua
    case $round in none-*) none+=("$BOOK_OK") ;; *) open+=("$BOOK_OK") ;; esac
    alive "$pid" streams
  done
  eval "$(cat "$work/hold.out")"
  stop_pid "$pid"
  local none_m open_m ratio per
  none_m=$(calc "(${none[0]} + ${none[1]}) / 2" 1)
  open_m=$(calc "(${open[0]} + ${open[1]}) / 2" 1)
  ratio=$(calc "$open_m / ($none_m > 0 ? $none_m : 1)" 3)
  per=$(calc "($rss1 - $rss0) / $STREAMS" 1)
  rt_row "g. RSS with $(thousands "$STREAMS") open event streams, one process, SQLite (before: $((rss0 / 1024)) MiB)" \
    "$((rss1 / 1024)) MiB ($per kB a stream)" "< 256 MiB" "$(verdict_lt "$((rss1 / 1024))" 256)"
  rt_row "g. a booking's event at each of $FANOUT_STREAMS streams of its provider, from the 201 ($FANOUT_BOOKINGS bookings, 100 ms apart; read by one Python client)" \
    "p99 $P99_MS ms (p50 $P50_MS ms, max $MAX_MS ms; $DELIVERED delivered, $MISSING missing)" "p99 < 100 ms" \
    "$( [ "$MISSING" = 0 ] && verdict_lt "$P99_MS" 100 || echo MISS)"
  rt_row "g. POST /bookings, SQLite, without streams / with $(thousands "$STREAMS") streams open (2 interleaved rounds of ${DUR} s each, 32 connections), 201s" \
    "$none_m / $open_m bookings/s (rounds: $(joined "${none[@]}") / $(joined "${open[@]}"))" "—" "—"
  rt_row "g. bookings/s with the streams open ÷ without" "$ratio (of ${OPEN:-?} held streams, ended early by the server: ${CLOSED:-?}; events they were sent, none being theirs: ${EVENTS:-?})" \
    "≥ 0.9 (within 10 %)" "$(verdict_ge "$ratio" 0.9)"
}

# pg_target postgresql://USER@HOST:PORT/DB: psql's connection words for it.
pg_target() {
  local u=${1#postgresql://}
  local user=${u%%@*} rest=${u#*@}
  local hostport=${rest%%/*} db=${rest#*/}
  echo "-h ${hostport%%:*} -p ${hostport##*:} -U $user $db"
}

# sink_count PORT: requests bench/webhook_sink.c has received.
sink_count() { curl -sf "http://127.0.0.1:$1/count"; }

bench_webhooks() {
  local url=$1 pid sink_port sink_pid setup SKIP="" TOKEN="" WEBHOOK_ID=""
  local rates=() ratios=() drains=() bases=() books=()
  say "webhook deliveries: receiver, admin, webhook for booking.created"
  sink_port=$("${HELPER[@]}" free-port)
  build/bench/webhook_sink "$sink_port" 2 >"$LOGS/webhook_sink.log" 2>&1 &
  sink_pid=$!
  pids+=("$sink_pid")
  APP_ENV=(WEBHOOK_ALLOW_PRIVATE=1)
  start_appointd postgres-webhooks "$url" 4
  APP_ENV=()
  pid=$APP_PID
  DATABASE_URL=$url APPOINTD_ADMIN_PASSWORD=$PASSWORD build/appointd create-admin \
    --email bench-admin@example.com --name "Bench admin" >"$LOGS/create-admin.log" 2>&1 ||
    { rt_row "h. webhook deliveries" "not measured: create-admin failed" "—" "—"; stop_pid "$pid"; stop_pid "$sink_pid"; return 0; }
  setup=$("${HELPER[@]}" login "$APP_URL" bench-admin@example.com "$PASSWORD")
  eval "$setup"
  # Two webhooks: every booking is two deliveries, so that the deliverer,
  # not the rate of bookings, bounds the figure.
  local hook
  for hook in 1 2; do
    [ -n "$SKIP" ] || setup=$("${HELPER[@]}" webhook "$APP_URL" "$TOKEN" \
      "http://127.0.0.1:$sink_port/hook-$hook" booking.created)
    eval "$setup"
  done
  [ -n "$SKIP" ] || book_setup "$APP_URL"
  if [ -n "$SKIP$BOOK_SKIP" ]; then
    rt_row "h. webhook deliveries" "not measured: $SKIP$BOOK_SKIP" "—" "—"
    stop_pid "$pid"; stop_pid "$sink_pid"
    return 0
  fi
  local round c0 c1 t0 t1 t2 made want n sustained=()
  for round in 1 2 3; do
    pgbench_round "webhooks-$round"
    bases+=("$BASE_TPS")
    [ "$round" = 1 ] || book_setup "$APP_URL" # slots of a service of its own
    sealed postgres "$(pg_target "$url")"
    c0=$(sink_count "$sink_port") t0=$(date +%s.%N)
    book_wrk "webhooks-$round" "$APP_URL" bench/booking.lua
    c1=$(sink_count "$sink_port") t1=$(date +%s.%N)
    books+=("$BOOK_OK")
    rates+=("$(calc "($c1 - $c0) / ($t1 - $t0)" 1)")
    ratios+=("$(calc "$BOOK_OK / $BASE_TPS" 3)")
    # Every booking of the run delivered before the next round starts.
    made=$(status_count "book-webhooks-$round" 201)
    want=$((c0 + 2 * made))
    for ((n = 0; n < 3000; n++)); do
      [ "$(sink_count "$sink_port")" -ge "$want" ] && break
      sleep 0.1
    done
    t2=$(date +%s.%N)
    drains+=("$(calc "$t2 - $t1" 1)")
    sustained+=("$(calc "($(sink_count "$sink_port") - $c0) / ($t2 - $t0)" 1)")
    alive "$pid" postgres-webhooks
  done
  local final
  final=$(sink_count "$sink_port")
  stop_pid "$pid"
  stop_pid "$sink_pid"
  local rate ratio
  rate=$(median "${rates[@]}")
  ratio=$(median "${ratios[@]}")
  local whole
  whole=$(median "${sustained[@]}")
  rt_row "h. webhook deliveries to a local receiver (two webhooks: two a booking) while POST /bookings runs, PostgreSQL (32 connections; median of 3 × ${DUR} s)" \
    "$rate deliveries/s during the runs (rounds: $(joined "${rates[@]}"))" "≥ 1000 deliveries/s" "$(verdict_ge "$rate" 1000)"
  rt_row "h. the same from each run's start to its last delivery" \
    "$whole deliveries/s (rounds: $(joined "${sustained[@]}"); seconds to deliver the rest after each run: $(joined "${drains[@]}"); $final delivered in all)" \
    "—" "—"
  rt_row "h. bookings/s meanwhile ÷ pgbench (interleaved rounds)" \
    "$ratio (bookings/s: $(joined "${books[@]}"); pgbench tx/s: $(joined "${bases[@]}"))" "≥ 0.7" \
    "$(verdict_ge "$ratio" 0.7)"
}
