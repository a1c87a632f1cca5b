#!/bin/sh
# Runs appointd under valgrind for the HTTP suite: any invalid access or leak
# makes it exit 99, which the suite's server fixture reports as a failure.
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --log-file="${APPOINTD_VALGRIND_LOG:-/tmp/appointd-valgrind.%p.log}" \
    "$(dirname "$0")/../build/appointd" "$@"
