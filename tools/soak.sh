#!/usr/bin/env bash
# make soak: the fault tests at their long settings, then every fuzz target
# for FUZZ_RUNS executions (10 million); prints the figures and writes them to
# docs/RELIABILITY.md with the date and the machine. The short versions of the
# same tests run in make test; here the figures are the point, and still
# every test's assertions must hold (a failure stops the soak, no report).
#   SOAK_PG_DOWN_S (20)      seconds PostgreSQL stays stopped under load
#   SOAK_SLOWLORIS_S (60)    seconds the 500 slowloris connections last
#   FUZZ_RUNS (10000000)     executions of each fuzz target
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }
report=$(mktemp /tmp/appointd-soak.XXXXXX.jsonl)
pgdir=$(mktemp -d /tmp/appointd-pg.XXXXXX)
trap 'tools/pg_cluster.sh stop "$pgdir"; rm -f "$report"' EXIT
export APPOINTD_SOAK_REPORT=$report
export APPOINTD_FAULT_PG_DOWN_S=${SOAK_PG_DOWN_S:-20}
export APPOINTD_FAULT_SLOWLORIS_S=${SOAK_SLOWLORIS_S:-60}
fuzz_runs=${FUZZ_RUNS:-10000000}
pytest_args=(-q -p no:cacheprovider --no-header -s)
started=$(date -u +%FT%TZ)
t0=$(date +%s)

step build
make -j"$(nproc)" --no-print-directory all
step "fault tests on SQLite"
APPOINTD_TEST_DATABASE_URL=sqlite /usr/bin/python3 -m pytest "${pytest_args[@]}" \
  tests/api/test_faults_disk.py tests/api/test_faults_slowloris.py tests/api/test_faults_sigterm.py
step "fault tests on PostgreSQL"
port=$(tools/pg_cluster.sh start "$pgdir")
APPOINTD_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/appointd" /usr/bin/python3 -m pytest \
  "${pytest_args[@]}" tests/api/test_faults_sigterm.py tests/api/postgres/test_pg_restart.py
step "every fuzz target, $fuzz_runs executions each"
make --no-print-directory fuzz-long FUZZ_RUNS="$fuzz_runs"

step "docs/RELIABILITY.md"
/usr/bin/python3 - "$report" "$started" "$(( $(date +%s) - t0 ))" "$fuzz_runs" <<'PY'
import glob, json, os, platform, re, subprocess, sys
report, started, took, fuzz_runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = [json.loads(l) for l in open(report) if l.strip()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
out = ["# Reliability under faults", "",
       "Written by `make soak` (tools/soak.sh); do not edit by hand. The same tests run",
       "in `make test` at short settings, where none of these figures is asserted:",
       "the assertions are about statuses, bodies and data, the figures are for reading.", "",
       f"- run: {started}, {took} s, commit {commit}",
       f"- settings: PostgreSQL stopped {os.environ['APPOINTD_FAULT_PG_DOWN_S']} s, slowloris "
       f"{os.environ['APPOINTD_FAULT_SLOWLORIS_S']} s, {fuzz_runs} fuzz executions a target",
       f"- machine: {platform.node()}, {os.cpu_count()} cores ({cpu}), {int(mem) // 1024} MiB, "
       f"Linux {platform.release()}", ""]
def answers(r):
    return ", ".join(f"{k}: {v}" for k, v in sorted(r.get("answers", {}).items()))
sections = {
    "postgresql restart and outage": ("PostgreSQL restarted (`pg_ctl restart -m fast`), then stopped, under booking load "
                                      "(tests/api/postgres/test_pg_restart.py)",
                                      ["down_s", "restart_to_20_bookings_s", "ready_after_start_s", "p50_ms", "p99_ms", "max_ms"]),
    "sigterm under booking load": ("SIGTERM under booking load (tests/api/test_faults_sigterm.py)",
                                   ["engine", "exit_s", "confirmed"]),
    "sqlite full disk": ("SQLite on a full disk (tests/api/test_faults_disk.py)", ["recovery_s"]),
    "slowloris": ("500 slowloris connections; /health probes from another address "
                  "(tests/api/test_faults_slowloris.py; target p99 < 10 ms)",
                  ["connections", "seconds", "server_sockets", "reopened_after_timeout", "probes", "p50_ms", "p99_ms", "max_ms"]),
}
for what, (title, cols) in sections.items():
    mine = [r for r in rows if r["what"] == what]
    if not mine:
        continue
    out += [f"## {title}", "", "| " + " | ".join(cols + (["answers"] if what != "slowloris" else [])) + " |",
            "|" + "---|" * (len(cols) + (what != "slowloris")) ]
    for r in mine:
        cells = [str(r.get(c, "")) for c in cols] + ([answers(r)] if what != "slowloris" else [])
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
out += ["Statuses: 201 booked, 409 the slot was taken (every slot is tried by two clients),",
        "503 the database was unavailable (body `{\"detail\": \"Service Unavailable\"}`), error: the",
        "connection was refused or closed (after SIGTERM only). Times in seconds unless _ms.", "",
        f"## Fuzzing (`make fuzz-long`, {fuzz_runs} executions each)", "",
        "| target | executions | executions/s | corpus after |", "|---|---|---|---|"]
for log in sorted(glob.glob("build/fuzz-long/*.log")):
    text = open(log, errors="replace").read()
    stat = dict(re.findall(r"stat::(\w+):\s*(\d+)", text))
    name = os.path.basename(log)[:-4]
    corpus = len(os.listdir(f"build/fuzz-long/corpus/{name}")) if os.path.isdir(f"build/fuzz-long/corpus/{name}") else 0
    out.append(f"| fuzz_{name} | {stat.get('number_of_executed_units', '?')} | "
               f"{stat.get('average_exec_per_sec', '?')} | {corpus} |")
out.append("")
text = "\n".join(out)
open("docs/RELIABILITY.md", "w").write(text)
print(text)
PY
