#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages the project needs, when missing.
# A fresh machine, CI, and the Docker image start with none of them.
#
# Runs `apt-get update` once, and only when something must be installed.
# DEPS_SKIP="pkg pkg": leave these out (the Docker image skips docker-compose).
#
# Installing nginx, redis-server or postgresql-15 may start their system
# services (on :80, :6379, :5432 TCP). The stack does not use them and does not
# touch them: it runs its own PostgreSQL on a unix socket and nginx on HTTP_PORT.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config g++ make
  # libraries (libcrypt-dev is libxcrypt on bookworm)
  libpq-dev libfcgi-dev libjsoncpp-dev libssl-dev libcrypt-dev libcurl4-openssl-dev
  libhiredis-dev catch2
  # runtime: nginx in front, PostgreSQL 15, Redis
  nginx postgresql-15 postgresql-contrib-15 postgresql-client-15 redis-server
  # tools: load tests, compose check, HTTP probes; ss (iproute2) and pgrep
  # (procps) are used by scripts/ and missing from minimal images
  wrk docker-compose curl iproute2 procps
  # scripts/cluster.sh: the relay from the root namespace's loopback to the edge host
  socat
  # the API description and the operator's kit, checked by `make test`:
  # headless browser, promtool, logrotate, systemd-analyze; and the SMTP server
  # (aiosmtpd) that the local stack, the tests and the SMTP sink unit run
  chromium prometheus logrotate systemd python3-aiosmtpd
)
# Node.js and npm run the API description's tools (scripts/docs.sh); a machine
# that already has them (e.g. a newer Node.js from elsewhere) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
# DEPS_FUZZ=1 (make fuzz): clang and its libFuzzer and sanitizer runtimes too.
if [[ ${DEPS_FUZZ:-0} == 1 ]]; then
  PACKAGES+=(clang-14 libclang-rt-14-dev)
fi

say() {
  printf '[deps] %s\n' "$*" >&2
}

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Names that installed packages provide: postgresql-contrib-15 is a virtual
# package provided by postgresql-15, which dpkg-query does not list by itself.
provided_names() {
  dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
    sed -n 's/^ii *|//p' | tr ',' '\n' | sed -e 's/(.*)//' -e 's/^ *//' -e 's/ *$//' |
    sed -e '/^$/d' | sort -u
}

skipped() {
  local pkg=$1 skip
  for skip in ${DEPS_SKIP:-}; do
    [[ $skip == "$pkg" ]] && return 0
  done
  return 1
}

missing_packages() {
  local pkg provided
  provided=$(provided_names)
  for pkg in "${PACKAGES[@]}"; do
    skipped "$pkg" || installed "$pkg" || grep -qxF -- "$pkg" <<<"$provided" ||
      printf '%s\n' "$pkg"
  done
}

main() {
  local -a missing sudo=()
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    say "all packages present"
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || {
      say "error: not root and no sudo; install as root: ${missing[*]}"
      exit 1
    }
    sudo=(sudo)
  fi
  say "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

main "$@"
