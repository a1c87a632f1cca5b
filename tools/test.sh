#!/usr/bin/env bash
# Every test: build, lint, the Debian package in a chroot, unit tests (plain
# and under ASan+UBSan), fuzz corpora, then the HTTP suite against SQLite
# (plain, under valgrind, built with ASan+UBSan) and against a throwaway
# PostgreSQL, then the container image.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
step() { printf '\n==> %s\n' "$*"; }

step build
make -j"$jobs" all
step lint
make --no-print-directory lint
step "OpenAPI document: Redocly CLI, recommended rules (warnings are printed, errors fail)"
make --no-print-directory npm-tools
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true build/npm-tools/node_modules/.bin/redocly lint --extends recommended --format stylish src/api/openapi.json
step "Debian package: lintian, install into a Debian 12 chroot, serve as its user"
bash tests/deploy/deb.sh
step "unit tests"
make -j"$jobs" --no-print-directory unit
step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
make -j"$jobs" --no-print-directory unit-asan
if [ -f fuzz/fuzz.mk ]; then
  step "fuzz corpora replay"
  make -j"$jobs" --no-print-directory fuzz-replay
fi

pgdir=$(mktemp -d /tmp/appointd-pg.XXXXXX)
trap 'tools/pg_cluster.sh stop "$pgdir"' EXIT
pytest_args=(-q -p no:cacheprovider --no-header tests/api)

# tests/api/postgres/ holds what only PostgreSQL has (its connections can be cut).
step "HTTP suite on SQLite"
APPOINTD_TEST_DATABASE_URL=sqlite /usr/bin/python3 -m pytest "${pytest_args[@]}" --ignore=tests/api/postgres

step "HTTP suite on SQLite, appointd under valgrind (no leaks, no invalid accesses)"
APPOINTD_TEST_DATABASE_URL=sqlite APPOINTD_BIN="$PWD/tools/valgrind-appointd.sh" \
  /usr/bin/python3 -m pytest "${pytest_args[@]}" -m "not slow_under_valgrind" --ignore=tests/api/postgres

step "HTTP suite on SQLite, appointd built with ASan+UBSan (a sanitizer report fails the step)"
make -j"$jobs" --no-print-directory build/asan/appointd
sanlogs=$(mktemp -d /tmp/appointd-sanitizer.XXXXXX)
APPOINTD_TEST_DATABASE_URL=sqlite APPOINTD_BIN="$PWD/tools/asan-appointd.sh" APPOINTD_SANITIZER_LOG_DIR="$sanlogs" \
  /usr/bin/python3 -m pytest "${pytest_args[@]}" -m "not slow_under_valgrind" --ignore=tests/api/postgres
if [ -n "$(ls -A "$sanlogs")" ]; then
  cat "$sanlogs"/*
  echo "sanitizer reports above (from $sanlogs)" >&2
  exit 1
fi
rm -rf "$sanlogs"

step "HTTP suite on PostgreSQL"
port=$(tools/pg_cluster.sh start "$pgdir")
APPOINTD_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/appointd" \
  /usr/bin/python3 -m pytest "${pytest_args[@]}"
step "container image (deploy/Dockerfile) under podman"
tests/deploy/container.sh
step "all tests passed"
