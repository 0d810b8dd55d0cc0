#!/usr/bin/env bash
# A local Redis 7 for the catalogue cache under $STATE_DIR: a unix socket in
# $STATE_DIR/run (no TCP port), no persistence (the cache is rebuilt from
# PostgreSQL), maxmemory REDIS_MAXMEMORY with allkeys-lru.
#
#   redis.sh start    start it (idempotent; brings it back when it died)
#   redis.sh stop     stop it (harmless when stopped)
#   redis.sh status   exit 0 running, 3 stopped
#   redis.sh url      print the REDIS_URL for it
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_BIN="${REDIS_BIN:-redis-server}"
REDIS_MAXMEMORY="${REDIS_MAXMEMORY:-64mb}"
REDIS_SOCKET="$RUN_DIR/redis.sock"
REDIS_PID_FILE="$RUN_DIR/redis.pid"
REDIS_LOG="$LOG_DIR/redis.log"

answers_ping() {
  [[ "$(redis-cli -s "$REDIS_SOCKET" PING 2>/dev/null)" == PONG ]]
}

cmd_start() {
  if is_running "$REDIS_PID_FILE" && answers_ping; then
    say "redis already running (pid $(read_pid "$REDIS_PID_FILE"))"
    return 0
  fi
  [[ $REDIS_MAXMEMORY =~ ^[0-9]+([kmgKMG][bB]?)?$ ]] ||
    die "REDIS_MAXMEMORY must be a size such as 64mb, got '$REDIS_MAXMEMORY'"
  mkdir -p -- "$RUN_DIR" "$LOG_DIR"
  check_socket_path "$REDIS_SOCKET"
  remove_stale_pidfile "$REDIS_PID_FILE"
  rm -f -- "$REDIS_SOCKET"
  # Settings on the command line, no config file: nothing on disk to drift.
  "$REDIS_BIN" --daemonize yes --pidfile "$REDIS_PID_FILE" \
    --port 0 --unixsocket "$REDIS_SOCKET" --unixsocketperm 700 \
    --save '' --appendonly no --dir "$RUN_DIR" --logfile "$REDIS_LOG" \
    --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy allkeys-lru ||
    die "redis-server did not start (see $REDIS_LOG)"
  if ! wait_until 10 answers_ping; then
    show_log_tail "$REDIS_LOG"
    die "redis did not answer on $REDIS_SOCKET"
  fi
  say "redis started (pid $(read_pid "$REDIS_PID_FILE"), $REDIS_SOCKET, maxmemory $REDIS_MAXMEMORY)"
}

cmd_stop() {
  local pid
  if ! pid=$(read_pid "$REDIS_PID_FILE") || ! pid_alive "$pid"; then
    rm -f -- "$REDIS_PID_FILE" "$REDIS_SOCKET"
    return 0
  fi
  say "stopping redis (pid $pid)"
  stop_pid "$pid" TERM 10 || stop_pid "$pid" KILL 5 || say "warning: redis pid $pid survived SIGKILL"
  rm -f -- "$REDIS_PID_FILE" "$REDIS_SOCKET"
}

cmd_status() {
  if is_running "$REDIS_PID_FILE" && answers_ping; then
    say "redis: running (pid $(read_pid "$REDIS_PID_FILE"), $REDIS_SOCKET)"
    return 0
  fi
  say "redis: stopped"
  return 3
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) printf 'unix://%s\n' "$REDIS_SOCKET" ;;
  *)
    sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
