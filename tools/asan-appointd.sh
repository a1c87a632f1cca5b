#!/bin/sh
# Runs the ASan+UBSan build of appointd for the HTTP suite. A sanitizer
# report makes the process fail: ASan aborts (abort_on_error; the suite sees
# a crash or a non-zero exit on SIGTERM), UBSan halts, a leak at exit makes it
# exit 23. Every report is also written under APPOINTD_SANITIZER_LOG_DIR
# (tools/test.sh fails the step when that folder is not empty), so a report
# from a process whose exit code no test checks is not lost either.
dir=${APPOINTD_SANITIZER_LOG_DIR:-/tmp/appointd-sanitizer}
mkdir -p "$dir"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$dir/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    exec "$(dirname "$0")/../build/asan/appointd" "$@"
