#!/usr/bin/env bash
# Greps the layering rules of ARCHITECTURE.md and the banned calls of
# src/core/banned.h over the C sources (*.c, *.h) in src/, then checks the
# route table against openapi.json, the README configuration table and the
# systemd unit (deploy/appointd.service). Prints each finding as file:line: message
# and exits 1 when there is any. Lines that start as comments (//, /*, or a
# block comment's " * " continuation) are skipped.
# Usage: tools/lint.sh   (from anywhere; it works from the repository root)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

findings=0

# c_sources [find predicates...]: the C sources under src/, sorted, one a line.
c_sources() {
    find src -type f \( -name '*.c' -o -name '*.h' \) "$@" -print | LC_ALL=C sort
}

# check MESSAGE REGEX [find predicates...]: reports every line of the selected
# sources matching the extended REGEX, except comment lines.
check() {
    local msg=$1 re=$2 out
    shift 2
    local files=()
    mapfile -t files < <(c_sources "$@")
    [ ${#files[@]} -eq 0 ] && return 0
    out=$(grep -nHE -- "$re" "${files[@]}" |
        awk -v msg="$msg" '{
            i = index($0, ":"); file = substr($0, 1, i - 1); rest = substr($0, i + 1)
            j = index(rest, ":"); line = substr(rest, 1, j - 1); text = substr(rest, j + 1)
            sub(/^[ \t]+/, "", text)
            if (text ~ /^(\/\/|\/\*|\*($|[ \t\/]))/) next
            if (length(text) > 100) text = substr(text, 1, 97) "..."
            printf "%s:%s: %s: %s\n", file, line, msg, text
        }')
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        findings=$((findings + $(printf '%s\n' "$out" | wc -l)))
    fi
}

# (a) libmicrohttpd belongs to the HTTP layer.
check "microhttpd.h included outside src/api/" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?microhttpd\.h[>"]' \
    -not -path 'src/api/*'

# (a2) MHD_queue_response called by name is taken for libmicrohttpd's own
# error reply (src/api/mhd_errors.h): our responses go through mhd_errors_queue.
check "MHD_queue_response called outside src/api/mhd_errors.c" \
    '\bMHD_queue_response[[:space:]]*\(' \
    -not -path 'src/api/mhd_errors.c'

# (b) SQL is written only in the storage layer.
check "SQL outside src/db/" \
    '"\s*(SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE)\b' \
    -not -path 'src/db/*'

# (c) JSON (jansson) is built and parsed only in schemas/ and api/. The
# engines' SQL text (queries.c) may name the databases' own JSON functions.
check "jansson (json_) outside src/schemas/ and src/api/" \
    '\bjson_[a-z_]+\s*\(|json_t\b' \
    -not -path 'src/schemas/*' -not -path 'src/api/*' -not -path 'src/db/*/queries.c'

# (d) Calls that src/core/banned.h turns into compile errors.
check "banned call (see src/core/banned.h)" \
    '\b(strcpy|strcat|sprintf|vsprintf|gets|gmtime|localtime|ctime|asctime|strtok|atoi|atol)\s*\(' \
    -not -path 'src/core/banned.h'

# (e) The route table and openapi.json list the same routes.
if routes_out=$(/usr/bin/python3 tools/check_routes.py 2>/dev/null); then
    printf '%s\n' "$routes_out"
else
    [ -n "$routes_out" ] || routes_out="tools/check_routes.py:1: failed without a message"
    printf '%s\n' "$routes_out"
    findings=$((findings + $(printf '%s\n' "$routes_out" | wc -l)))
fi

# (f) The README's configuration table is the binary's own.
if [ -x build/appointd ]; then
    readme_cfg=$(sed -n '/<!-- config:begin -->/,/<!-- config:end -->/p' README.md | sed '1d;$d')
    if [ "$readme_cfg" != "$(build/appointd config)" ]; then
        echo "README.md:1: configuration table differs from 'build/appointd config'"
        findings=$((findings + 1))
    fi
fi

# (g) The systemd unit: systemd-analyze verify finds nothing, and the
# offline security review rates its exposure 2.0 or lower. verify insists
# that ExecStart names an existing program, so a copy names the build's.
check_unit() {
    local unit=deploy/appointd.service tmp bin out rc
    if ! command -v systemd-analyze >/dev/null; then
        echo "$unit:1: systemd-analyze is missing (tools/deps.sh test installs it)"
        return 1
    fi
    tmp=$(mktemp -d) || return 1
    bin="$PWD/build/appointd"; [ -x "$bin" ] || bin=/bin/true
    sed "s|^ExecStart=/usr/bin/appointd|ExecStart=$bin|" "$unit" >"$tmp/appointd.service"
    out=$(systemd-analyze verify --man=no "$tmp/appointd.service" 2>&1); rc=$?
    [ $rc -eq 0 ] && [ -z "$out" ] || { printf '%s\n' "$out" | sed "s|^|$unit:1: verify: |"; rc=1; }
    if ! out=$(systemd-analyze security --offline=yes --threshold=20 "$tmp/appointd.service" 2>&1); then
        printf '%s\n' "$out" | grep 'Overall exposure' | sed "s|^|$unit:1: exposure above 2.0: |"
        rc=1
    fi
    rm -rf "$tmp"
    return $rc
}
check_unit || findings=$((findings + 1))

if [ "$findings" -gt 0 ]; then
    echo "lint: $findings finding(s)" >&2
    exit 1
fi
echo "lint: ok"
