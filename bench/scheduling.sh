# shellcheck shell=bash disable=SC2034,SC2154  # sourced: run.sh sets and reads these
# Sourced by bench/run.sh after bench/realtime.sh (uses run.sh's helpers, $work,
# $LOGS, and realtime.sh's rt_row): i. suggestions and j. the waitlist, on
# either engine.
#
#   bench_suggestions ENGINE URL TOKEN FROM SERVICE...
#       GET /services/{id}/suggestions over the 62 days from FROM, one request
#       at a time, for each service (bench_slots calls it with its provider
#       of SLOT_BOOKINGS bookings)
#   bench_waitlist ENGINE DATABASE_URL TARGET
#       on a fresh appointd: a cancellation's slot booked by the waitlist,
#       timed from the cancellation's 200 to the waitlist.booked event on the
#       customer's stream, with WL_ENTRIES active entries on the service; then
#       cancellations/s without and with WL_ENTRIES entries waiting (3
#       interleaved rounds each; the median of the rounds' ratios). TARGET: the SQLite file, or psql's words.
WL_ENTRIES=${BENCH_WAITLIST_ENTRIES:-1000}
WL_CANCELS=${BENCH_WAITLIST_CANCELS:-100}
WL_BOOKINGS=${BENCH_WAITLIST_BOOKINGS:-40000} # bookings a cancellation round may cancel

bench_suggestions() {
  local engine=$1 url=$2 token=$3 from=$4 label sid path to STATUS="" COUNT="" VALID="" BODY_START="" setup
  shift 4
  label=SQLite
  [ "$engine" = sqlite ] || label=PostgreSQL
  to=$(date -u -d "$from + 61 days" +%F)
  for sid in "$@"; do
    path="/api/v1/services/$sid/suggestions?from=$from&to=$to&limit=5"
    setup=$("${HELPER[@]}" probe "$url" "$token" "$path")
    eval "$setup"
    if [ "$STATUS" != 200 ]; then
      rt_row "i. GET /services/{id}/suggestions, $label" "not measured: it answers $STATUS" "p99 < 10 ms" "—"
      return 0
    fi
    say "GET $path on $label (${WARM_DUR}s not counted, then ${DUR}s, 1 connection)"
    BENCH_TOKEN=$token wrk_run "suggest-$engine-$sid-warm" -t1 -c1 -d"${WARM_DUR}s" -s bench/auth_get.lua "$url$path"
    BENCH_TOKEN=$token wrk_run "suggest-$engine-$sid" -t1 -c1 -d"${DUR}s" --latency -s bench/auth_get.lua "$url$path"
    rt_row "i. GET /services/{id}/suggestions, 62 days ($from to $to), service $sid of the slots provider ($SLOT_BOOKINGS bookings), $label (1 connection)" \
      "p99 $(p99 "suggest-$engine-$sid") ms (p50 $(p50 "suggest-$engine-$sid") ms; $(rps "suggest-$engine-$sid") req/s; non-2xx $(non2xx "suggest-$engine-$sid"); steal $(steal "suggest-$engine-$sid") %)" \
      "p99 < 10 ms" "$(verdict_lt "$(p99 "suggest-$engine-$sid")" 10)"
  done
}

WL_OK=""
# wl_round NAME URL ENGINE TARGET ENTRIES AWAY: one wrk run of cancellations
# of bookings of their own, ENTRIES waiting over the first ones' days (AWAY
# 1: over days no cancellation frees): sets WL_OK (the rate of 2xx answers)
# and WL_BOOKED (entries the waitlist booked by the end of the run).
wl_round() {
  local name=$1 url=$2 engine=$3 target=$4 entries=$5 away=$6 setup r ok total
  local SKIP="" CANCEL_TOKEN="" CANCEL_FIRST="" CANCEL_LAST="" SERVICE_ID="" BOOKED=""
  say "waitlist: $name set-up ($WL_BOOKINGS bookings inserted with SQL, $entries entries waiting)"
  setup=$("$PY" bench/waitlist_load.py cancel-setup "$url" "$engine" "$target" "$WL_BOOKINGS" "$entries" "$away" \
    2>"$LOGS/waitlist-$name.log") ||
    { echo "bench: waitlist_load.py cancel-setup failed:" >&2; tail -n 20 "$LOGS/waitlist-$name.log" >&2; exit 1; }
  eval "$setup"
  [ -z "$SKIP" ] || { WL_OK="" WL_SKIP=$SKIP; return 0; }
  say "POST /api/v1/bookings/{id}/cancel: $name (${DUR}s, 32 connections, distinct bookings)"
  BENCH_TOKEN=$CANCEL_TOKEN BENCH_FIRST=$CANCEL_FIRST BENCH_LAST=$CANCEL_LAST BENCH_THREADS=2 \
    wrk_run "cancel-$name" -t2 -c32 -d"${DUR}s" --latency -s bench/cancel.lua "$url/api/v1/bookings"
  r=$(rps "cancel-$name")
  ok=$(status_count "cancel-$name" '2[0-9][0-9]')
  total=$(status_count "cancel-$name" '[0-9]+')
  WL_OK=$(calc "$r * ($total > 0 ? $ok / $total : 0)" 1)
  setup=$("$PY" bench/waitlist_load.py served "$engine" "$target" "$SERVICE_ID")
  eval "$setup"
  WL_BOOKED=$BOOKED
}

bench_waitlist() {
  local engine=$1 dburl=$2 target=$3 label pid url setup round none=() wl=() idle=() booked=()
  local SKIP="" ENTRIES="" SERVED="" MISSING="" IN_ORDER="" P50_MS="" P99_MS="" MAX_MS=""
  WL_SKIP=""
  label=SQLite
  [ "$engine" = sqlite ] || label=PostgreSQL
  say "waitlist on $label: $WL_ENTRIES entries waiting, $WL_CANCELS cancellations one at a time"
  start_appointd "waitlist-$engine" "$dburl" 4
  pid=$APP_PID url=$APP_URL
  setup=$("$PY" bench/waitlist_load.py latency "$url" "$WL_ENTRIES" "$WL_CANCELS" \
    2>"$LOGS/waitlist-latency-$engine.log") ||
    { echo "bench: waitlist_load.py latency failed:" >&2; tail -n 20 "$LOGS/waitlist-latency-$engine.log" >&2; exit 1; }
  eval "$setup"
  if [ -n "$SKIP" ]; then
    rt_row "j. waitlist, $label" "not measured: $SKIP" "—" "—"
    stop_pid "$pid"
    return 0
  fi
  alive "$pid" "waitlist-$engine"
  rt_row "j. a cancellation's slot booked by the waitlist, $label: from the cancellation's 200 to waitlist.booked on the customer's stream ($ENTRIES auto_book entries waiting; $WL_CANCELS cancellations one at a time)" \
    "p99 $P99_MS ms (p50 $P50_MS ms, max $MAX_MS ms; $SERVED served, $MISSING not within 5 s; oldest entry first: $( [ "$IN_ORDER" = 1 ] && echo yes || echo NO))" \
    "p99 < 500 ms" "$( [ "$MISSING" = 0 ] && [ "$IN_ORDER" = 1 ] && verdict_lt "$P99_MS" 500 || echo MISS)"
  # warm-up, not counted: the first round was the slowest in every run (the
  # planner has no statistics of the new tables yet), and always a "none" one.
  for round in warm-up none-1 wl-1 idle-1 none-2 wl-2 idle-2 none-3 wl-3 idle-3; do
    case $round in
      warm-up) wl_round "$engine-$round" "$url" "$engine" "$target" 0 0 ;;
      none-*) wl_round "$engine-$round" "$url" "$engine" "$target" 0 0; none+=("$WL_OK") ;;
      idle-*) wl_round "$engine-$round" "$url" "$engine" "$target" "$WL_ENTRIES" 1; idle+=("$WL_OK") ;;
      *) wl_round "$engine-$round" "$url" "$engine" "$target" "$WL_ENTRIES" 0; wl+=("$WL_OK") booked+=("$WL_BOOKED") ;;
    esac
    [ -z "$WL_SKIP" ] || break
    alive "$pid" "waitlist-$engine"
  done
  stop_pid "$pid"
  if [ -n "$WL_SKIP" ]; then
    rt_row "j. cancellations/s with the waitlist, $label" "not measured: $WL_SKIP" "—" "—"
    return 0
  fi
  local none_m wl_m idle_m ratio idle_ratio i ratios=() idle_ratios=()
  for i in 0 1 2; do
    ratios+=("$(calc "${wl[$i]} / (${none[$i]} > 0 ? ${none[$i]} : 1)" 3)")
    idle_ratios+=("$(calc "${idle[$i]} / (${none[$i]} > 0 ? ${none[$i]} : 1)" 3)")
  done
  none_m=$(median "${none[@]}") wl_m=$(median "${wl[@]}") idle_m=$(median "${idle[@]}")
  ratio=$(median "${ratios[@]}") idle_ratio=$(median "${idle_ratios[@]}")
  rt_row "j. POST /bookings/{id}/cancel, $label, no entries waiting / $WL_ENTRIES auto_book entries waiting on the service (medians of 3 interleaved rounds of ${DUR} s each, 32 connections), 200s" \
    "$none_m / $wl_m cancellations/s (rounds: $(joined "${none[@]}") / $(joined "${wl[@]}"); slots the waitlist booked meanwhile: $(joined "${booked[@]}"))" "—" "—"
  rt_row "j. cancellations/s with the waitlist booking the freed slots meanwhile ÷ without, $label (median of the 3 rounds' ratios)" \
    "$ratio (rounds: $(joined "${ratios[@]}"))" "≥ 0.9 (within 10 %)" "$(verdict_ge "$ratio" 0.9)"
  rt_row "j. cancellations/s with $WL_ENTRIES entries waiting over days no cancellation frees (the job reads every event, serves none) ÷ without, $label (median of the 3 rounds' ratios)" \
    "$idle_ratio (rounds: $(joined "${idle[@]}") cancellations/s; ratios: $(joined "${idle_ratios[@]}"))" "≥ 0.9 (within 10 %)" "$(verdict_ge "$idle_ratio" 0.9)"
}
