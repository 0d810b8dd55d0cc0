#!/usr/bin/env bash
# What `make test` runs after building: starts throwaway servers, runs ctest
# against them, and always tears them down again (even on failure or Ctrl-C).
#
#   1. a PostgreSQL cluster for the integration tests (database itest):
#      TEST_DATABASE_URL, MIGRATIONS_DIR
#   2. a whole stack (own PostgreSQL, Redis, SMTP server, worker pool, nginx)
#      for the end-to-end tests: E2E_BASE_URL, E2E_STATE_DIR, E2E_REPO
#   3. ctest --test-dir $BUILD_DIR --output-on-failure [ARGS...]; the e2e client
#      records every answer (E2E_RECORD_FILE)
#   4. every recorded answer validated against docs/openapi.yaml
#      (scripts/docs.sh validate); a mismatch fails the run
#
# Exits with ctest's code. TEST_KEEP=1 keeps the temporary directory (logs,
# data) and prints where it is.
#
# SANITIZE=1 (make test SANITIZE=1): the binaries of build-sanitize/. Every
# sanitizer report of any process (test binaries, the pool, the CLI commands the
# scripts run) goes to $tmp/sanitizer/ and fails the run, even when the process
# that reported was one whose exit status no test looks at.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${SANITIZE:-0} == 1 ]]; then
  BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build-sanitize}")"
else
  BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
fi
export BUILD_DIR
TEST_TIMEOUT="${TEST_TIMEOUT:-300}"

tmp=""
ctest_pid=""

# Prints the logs of the e2e stack, so that a failure in CI explains itself
# after the temporary directory is gone.
# shellcheck disable=SC2317 # called from the EXIT trap
show_stack_logs() {
  [[ -n $tmp ]] || return 0
  show_log_tail "$tmp/e2e/log/server.log" 60
  show_log_tail "$tmp/e2e/log/nginx-error.log" 20
  show_log_tail "$tmp/e2e/log/postgres.log" 20
  show_log_tail "$tmp/e2e/log/redis.log" 10
  show_log_tail "$tmp/e2e/log/smtp.log" 10
}

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $ctest_pid ]] && pid_alive "$ctest_pid"; then
    # The running test binary first, then ctest itself.
    pkill -TERM -P "$ctest_pid" 2>/dev/null || true
    kill -TERM "$ctest_pid" 2>/dev/null || true
  fi
  if [[ -n $tmp && -d $tmp ]]; then
    ((rc == 0)) || show_stack_logs
    say "tearing down"
    env -u DATABASE_URL -u REDIS_URL -u SMTP_URL STATE_DIR="$tmp/e2e" "$REPO/scripts/stack.sh" down || true
    # The cluster tests' fixture stops its cluster itself; this is for an interrupted run.
    if [[ -d $tmp/cluster ]]; then "$REPO/scripts/cluster.sh" down >/dev/null 2>&1 || true; fi
    STATE_DIR="$tmp/it" "$REPO/scripts/pg.sh" stop || true
    # After the teardown: leaks are reported when the pool exits.
    if [[ ${SANITIZE:-0} == 1 ]] && ! check_sanitizer_reports; then
      ((rc != 0)) || rc=1
    fi
    if [[ ${TEST_KEEP:-0} == 1 ]]; then
      say "kept $tmp (logs in $tmp/e2e/log and $tmp/it/log)"
    else
      rm -rf -- "$tmp"
    fi
  fi
  exit "$rc"
}

start_integration_db() {
  local port
  port=$(free_port)
  say "integration PostgreSQL in $tmp/it"
  STATE_DIR="$tmp/it" PG_PORT="$port" "$REPO/scripts/pg.sh" init
  STATE_DIR="$tmp/it" PG_PORT="$port" "$REPO/scripts/pg.sh" start
  STATE_DIR="$tmp/it" "$REPO/scripts/pg.sh" createdb itest
  TEST_DATABASE_URL="$(STATE_DIR="$tmp/it" "$REPO/scripts/pg.sh" url itest)"
  export TEST_DATABASE_URL
  export MIGRATIONS_DIR="$REPO/sql/migrations"
}

start_e2e_stack() {
  local port cors_port
  port=$(free_port)
  # A second local origin, allowed by CORS: the browser test serves its
  # storefront page there, and the C++ CORS tests send it as Origin.
  cors_port=$(free_port)
  while ((cors_port == port)); do cors_port=$(free_port); done
  export E2E_CORS_ORIGIN="http://127.0.0.1:$cors_port"
  say "end-to-end stack in $tmp/e2e on port $port (CORS allows $E2E_CORS_ORIGIN)"
  # DATABASE_URL, REDIS_URL and SMTP_URL unset: the stack starts (and later
  # stops) its own cluster, Redis and SMTP server, never a developer's.
  # ENABLE_TEST_ROUTES: /__test/sleep and /__test/alloc, which the e2e tests use.
  if ! env -u DATABASE_URL -u REDIS_URL -u SMTP_URL STATE_DIR="$tmp/e2e" HTTP_PORT="$port" WORKERS="${E2E_WORKERS:-4}" \
    ENABLE_TEST_ROUTES=1 CORS_ALLOWED_ORIGINS="$E2E_CORS_ORIGIN" "$REPO/scripts/stack.sh" up; then
    die "the end-to-end stack did not start"
  fi
  export E2E_BASE_URL="http://127.0.0.1:$port"
  export E2E_STATE_DIR="$tmp/e2e"
  export E2E_REPO="$REPO"
  # Every answer the e2e client receives, for validate_answers.
  export E2E_RECORD_FILE="$tmp/e2e-answers.jsonl"
  : >"$E2E_RECORD_FILE"
  # Where tests that write files (the browser test's screenshots) put them.
  export E2E_OUTPUT_DIR="$tmp/e2e-output"
  mkdir -p -- "$E2E_OUTPUT_DIR"
}

# The recorded answers against the OpenAPI document (nothing to do when no
# end-to-end test ran, e.g. ARGS="-L unit").
validate_answers() {
  if [[ ! -s $E2E_RECORD_FILE ]]; then
    say "no end-to-end answers recorded; nothing to validate against docs/openapi.yaml"
    return 0
  fi
  say "validating the recorded answers against docs/openapi.yaml"
  "$REPO/scripts/docs.sh" validate "$E2E_RECORD_FILE"
}

# Sanitizer reports go to files, one per reporting process, instead of only to
# a stderr that may be a log nobody reads.
enable_sanitizer_reports() {
  mkdir -p -- "$tmp/sanitizer"
  chmod 0777 -- "$tmp/sanitizer"
  export ASAN_OPTIONS="log_path=$tmp/sanitizer/asan:halt_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export UBSAN_OPTIONS="log_path=$tmp/sanitizer/ubsan:halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
  say "sanitizer reports go to $tmp/sanitizer"
}

# Prints every sanitizer report; fails when there is one.
check_sanitizer_reports() {
  local report found=0
  for report in "$tmp"/sanitizer/*; do
    [[ -f $report ]] || continue
    found=1
    say "sanitizer report $report:"
    head -n 80 -- "$report" >&2
  done
  ((found == 0)) || say "error: the sanitizers reported (see above)"
  return "$found"
}

run_ctest() {
  local rc=0
  # In the background, so that INT/TERM reach our trap at once instead of
  # after ctest finishes.
  ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout "$TEST_TIMEOUT" "$@" &
  ctest_pid=$!
  wait "$ctest_pid" || rc=$?
  ctest_pid=""
  return "$rc"
}

# Where the cluster tests' fixture (tests/CMakeLists.txt, "cluster: up") builds
# its hosts: names, subnet and port of their own, so that a developer's
# `make cluster-up` (prefix ecl, 10.231.7, port 8090) is never touched.
cluster_settings() {
  export CLUSTER_DIR="$tmp/cluster"
  export CLUSTER_PREFIX="t$(($$ % 10000000))"
  export CLUSTER_SUBNET="10.$((200 + RANDOM % 50)).$((RANDOM % 250))"
  CLUSTER_HTTP_PORT=$(free_port) # below the ephemeral range (lib.sh)
  export CLUSTER_HTTP_PORT
  # Its pools (also when a test restarts one): a reconciliation period of 10 s,
  # which the periodic-job test watches, and request lines written at once,
  # which the tests count in the pools' logs.
  export CLUSTER_POOL_SETTINGS="RECONCILE_INTERVAL_S=10 REQUEST_LOG_BUFFER_BYTES=0"
  say "cluster tests: $CLUSTER_DIR, namespaces $CLUSTER_PREFIX-*, $CLUSTER_SUBNET.0/24, port $CLUSTER_HTTP_PORT"
}

main() {
  [[ -f $BUILD_DIR/CTestTestfile.cmake ]] || die "no ctest files in $BUILD_DIR; run: make build"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # Short path: unix socket paths are limited to 107 bytes.
  tmp=$(mktemp -d /tmp/ecom-test.XXXXXX)
  # mktemp makes it 0700; the postgres user must be able to walk through it.
  chmod 0755 -- "$tmp"

  # The same admin credentials for the seeded stack and for the tests.
  export ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
  ADMIN_PASSWORD="${ADMIN_PASSWORD:-test-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}"
  export ADMIN_PASSWORD
  # The e2e tests log in as that admin (tests/e2e/*_e2e_test.cc).
  export E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$ADMIN_PASSWORD"
  # The cheapest bcrypt cost: tests register and log in often; strength is not tested.
  export BCRYPT_COST="${BCRYPT_COST:-4}"
  # Every e2e client is 127.0.0.1, so the per-address login limit (30 failures
  # a minute) would let one test's bad logins lock out the next test's good
  # ones; the integration tests cover that limit.
  export LOGIN_MAX_FAILS_PER_ADDRESS="${LOGIN_MAX_FAILS_PER_ADDRESS:-1000}"
  # The same for registrations (10 an hour per address by default): the e2e
  # tests register far more users than that from loopback.
  export REGISTER_MAX_PER_ADDRESS="${REGISTER_MAX_PER_ADDRESS:-1000000}"
  # Throwaway clusters: durability buys nothing but time here.
  export PG_FSYNC="${PG_FSYNC:-off}"

  [[ ${SANITIZE:-0} != 1 ]] || enable_sanitizer_reports
  start_integration_db
  start_e2e_stack
  cluster_settings
  local rc=0
  run_ctest "$@" || rc=$?
  say "ctest exited with $rc"
  if ! validate_answers; then
    say "answers do not match docs/openapi.yaml (see the mismatches above)"
    ((rc != 0)) || rc=1
  fi
  exit "$rc"
}

main "$@"
