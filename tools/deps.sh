#!/usr/bin/env bash
# Installs the Debian packages appointd needs that are missing, and nothing else.
# Usage: tools/deps.sh run|test|bench|build|runtime
#   runtime: only the shared libraries and data the built binary loads (the
#   container image's run stage); the others start from what building needs.
set -euo pipefail
want=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libjwt-dev
      libcrypt-dev libsqlite3-dev libpq-dev libglib2.0-dev libsystemd-dev libcurl4-openssl-dev
      ca-certificates tzdata)
# npm fetches Swagger UI into build/npm. `build`: compiling a tree that has it
# already (the container image's build stage, deploy/Dockerfile).
[ "${1:-run}" = build ] || want+=(npm)
case "${1:-run}" in
  test)  want+=(libcriterion-dev python3-pytest python3-requests postgresql-15
                valgrind clang prometheus
                systemd lintian debootstrap dpkg-dev curl procps nginx openssl
                podman runc chromium) ;;
  bench) want+=(wrk postgresql-15 nginx openssl curl) ;;
  build) ;;
  # One package for each of the Makefile's PKGS, and the zone database.
  runtime) want=(libglib2.0-0 libmicrohttpd12 libjansson4 libpq5 libsqlite3-0
                 libjwt0 libcrypt1 libsystemd0 libcurl4 ca-certificates tzdata) ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# A package is "there" when its command is, too: npm may come with another node.
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
