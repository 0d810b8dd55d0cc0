#!/usr/bin/env bash
# The whole service on this machine: PostgreSQL (unless DATABASE_URL is given),
# Redis for the catalogue cache (unless REDIS_URL is given or "off"), an SMTP
# server for the order mail (unless SMTP_URL is given), the pre-forked FastCGI
# pool (ecommerce-server serve) and nginx in front.
#
#   stack.sh up       start what is not running yet (a part that died comes back);
#                     migrate + seed; wait for /health
#   stack.sh down     stop nginx, the pool, and the local PostgreSQL, Redis and SMTP server
#                     if `up` started them
#   stack.sh run      up, then stay in the foreground; Ctrl-C runs down
#   stack.sh status   what runs
#   stack.sh render-nginx   only write $STATE_DIR/nginx/nginx.conf (scripts/cluster.sh's edge)
#
# Everything lives under STATE_DIR, so stacks with different STATE_DIR and
# HTTP_PORT run side by side.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
# The port the running nginx listens on (written by up) serves status when
# HTTP_PORT is not given.
HTTP_PORT_FILE="$RUN_DIR/http.port"
if [[ -z ${HTTP_PORT:-} && -r $HTTP_PORT_FILE ]]; then read -r HTTP_PORT <"$HTTP_PORT_FILE" || true; fi
HTTP_PORT="${HTTP_PORT:-8080}"
HTTP_BIND="${HTTP_BIND:-127.0.0.1}"
GRACEFUL_TIMEOUT="${GRACEFUL_TIMEOUT:-30}"
HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-20}"
NGINX_BIN="${NGINX_BIN:-nginx}"
# What nginx serves at /openapi.json and /docs (scripts/docs.sh build).
SITE_DIR="$(realpath -m -- "${SITE_DIR:-$BUILD_DIR/site}")"

NGINX_DIR="$STATE_DIR/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_PID_FILE="$RUN_DIR/nginx.pid"
NGINX_ERROR_LOG="$LOG_DIR/nginx-error.log"
# The master writes PID_FILE itself too; stack.sh writes it first so that it
# exists at once. SERVER_PGID_FILE keeps the process group made by setsid,
# which outlives a master that replaced itself.
SERVER_PID_FILE="${PID_FILE:-$RUN_DIR/server.pid}"
SERVER_PGID_FILE="$RUN_DIR/server.pgid"
SERVER_LOG="$LOG_DIR/server.log"
# Present while the local PostgreSQL was started by `up`, so `down` stops only that.
PG_MARKER="$RUN_DIR/pg.started-by-stack"
PG_SH="$REPO/scripts/pg.sh"
REDIS_MARKER="$RUN_DIR/redis.started-by-stack"
REDIS_SH="$REPO/scripts/redis.sh"
SMTP_MARKER="$RUN_DIR/smtp.started-by-stack"
SMTP_SH="$REPO/scripts/smtp.sh"

# The pool's sockets, with the binary's defaults, exported so both sides agree.
export LISTEN="${LISTEN:-unix:$RUN_DIR/fcgi.sock}"
export STATUS_LISTEN="${STATUS_LISTEN:-unix:$RUN_DIR/status.sock}"

# --- helpers -------------------------------------------------------------------

# The binary: SERVER_BIN, else where the CMake build puts it.
server_bin() {
  local candidate
  for candidate in "${SERVER_BIN:-}" "$BUILD_DIR/workers/ecommerce-server" \
    "$BUILD_DIR/ecommerce-server"; do
    if [[ -n $candidate && -x $candidate ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  die "ecommerce-server not found under $BUILD_DIR (run: make build, or set SERVER_BIN)"
}

health_url() {
  printf 'http://127.0.0.1:%s/health\n' "$HTTP_PORT"
}

# FastCGI address for nginx from one of the server's "unix:PATH" or "HOST:PORT";
# the syntax is the same.
fcgi_pass() {
  printf '%s\n' "$1"
}

fcgi_ready() {
  if [[ $LISTEN == unix:* ]]; then
    [[ -S ${LISTEN#unix:} ]]
  else
    (exec 3<>"/dev/tcp/${LISTEN%:*}/${LISTEN##*:}") 2>/dev/null
  fi
}

require_number() {
  local name=$1 value=$2
  [[ $value =~ ^[0-9]+$ ]] || die "$name must be a non-negative integer, got '$value'"
}

# Escapes a value for the replacement side of a sed s|...|...| command.
sed_escape() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# --- PostgreSQL ------------------------------------------------------------------

# With no DATABASE_URL, use (and if needed start) the local cluster of STATE_DIR.
ensure_database() {
  if [[ -n ${DATABASE_URL:-} ]]; then
    say "using DATABASE_URL from the environment"
    return 0
  fi
  "$PG_SH" init
  if ! "$PG_SH" status >/dev/null 2>&1; then
    "$PG_SH" start
    touch -- "$PG_MARKER"
  else
    "$PG_SH" start # creates the database if missing; leaves the server alone
  fi
  DATABASE_URL="$("$PG_SH" url)"
  export DATABASE_URL
}

# --- Redis ------------------------------------------------------------------------

# With no REDIS_URL, use (and if needed start again) the local Redis of STATE_DIR.
ensure_cache() {
  if [[ ${REDIS_URL:-} == off ]]; then
    say "REDIS_URL=off: the catalogue cache is disabled"
    return 0
  fi
  if [[ -n ${REDIS_URL:-} && ! -e $REDIS_MARKER ]]; then
    say "using REDIS_URL from the environment"
    return 0
  fi
  "$REDIS_SH" start
  touch -- "$REDIS_MARKER"
  REDIS_URL="$("$REDIS_SH" url)"
  export REDIS_URL
}

# --- SMTP ---------------------------------------------------------------------------

# With no SMTP_URL, use (and if needed start again) the local SMTP server of
# STATE_DIR, which keeps every message under $STATE_DIR/mail/new.
ensure_mail() {
  if [[ -n ${SMTP_URL:-} && ! -e $SMTP_MARKER ]]; then
    say "using SMTP_URL from the environment"
    return 0
  fi
  # A machine or image without python3-aiosmtpd still serves; its order mail
  # waits in the queue, retried, until SMTP_URL names a server.
  if ! "$SMTP_SH" available; then
    say "warning: no local SMTP server (python3-aiosmtpd is missing; make deps installs it):" \
      "order mail stays queued until SMTP_URL is set"
    return 0
  fi
  "$SMTP_SH" start
  touch -- "$SMTP_MARKER"
  SMTP_URL="$("$SMTP_SH" url)"
  export SMTP_URL
}

# --- the worker pool ---------------------------------------------------------------

start_server() {
  local bin pid
  bin=$(server_bin)
  if is_running "$SERVER_PID_FILE"; then
    say "server already running (pid $(read_pid "$SERVER_PID_FILE"))"
    return 0
  fi
  say "migrating and seeding the database"
  "$bin" migrate || die "migrate failed"
  "$bin" seed || die "seed failed"

  # A socket left by a killed server would make the readiness check lie.
  if [[ $LISTEN == unix:* ]]; then check_socket_path "${LISTEN#unix:}"; fi
  remove_unix_socket "$LISTEN"
  remove_unix_socket "$STATUS_LISTEN"
  printf '\n==== %s stack.sh: starting %s serve ====\n' "$(date -Is)" "$bin" >>"$SERVER_LOG"
  # setsid: own session and process group (pgid == pid), so Ctrl-C in the
  # terminal does not reach it and `down` can kill the whole group.
  setsid "$bin" serve >>"$SERVER_LOG" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$SERVER_PID_FILE"
  printf '%s\n' "$pid" >"$SERVER_PGID_FILE"
  say "server started (pid $pid, listen $LISTEN, log $SERVER_LOG)"
  if ! wait_until "$HEALTH_TIMEOUT_S" server_listening "$pid"; then
    show_log_tail "$SERVER_LOG"
    die "server did not open $LISTEN within ${HEALTH_TIMEOUT_S}s"
  fi
}

# Fails the wait early (by exiting) when the server died instead of listening.
server_listening() {
  if ! pid_alive "$1"; then
    show_log_tail "$SERVER_LOG"
    die "server exited during start-up"
  fi
  fcgi_ready
}

stop_server() {
  local pid pgid
  pid=$(read_pid "$SERVER_PID_FILE") || pid=""
  pgid=$(read_pid "$SERVER_PGID_FILE") || pgid=$pid
  if [[ -z $pid && -z $pgid ]]; then
    say "server not running"
    return 0
  fi
  if [[ -z $pid ]] || ! pid_alive "$pid"; then
    say "server not running (removing stale pid file)"
  else
    say "stopping server (pid $pid; up to $((GRACEFUL_TIMEOUT + 5))s to drain)"
    # QUIT: the pool's graceful stop (in-flight requests finish); TERM is its fast stop.
    if ! stop_pid "$pid" QUIT "$((GRACEFUL_TIMEOUT + 5))"; then
      say "server still running; killing its process group"
      kill -KILL -- "-${pgid:-$pid}" 2>/dev/null || true
      wait_until 5 pid_gone "$pid" || say "warning: pid $pid survived SIGKILL"
    fi
  fi
  # Workers whose master was killed outright (e.g. by a test) would linger.
  if [[ -n $pgid ]] && group_alive "$pgid"; then
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  rm -f -- "$SERVER_PID_FILE" "$SERVER_PGID_FILE"
  remove_unix_socket "$LISTEN"
  remove_unix_socket "$STATUS_LISTEN"
  remove_unix_socket "$STATUS_LISTEN"
}

remove_unix_socket() {
  if [[ $1 == unix:* ]]; then rm -f -- "${1#unix:}"; fi
}

# --- nginx -------------------------------------------------------------------------

# POOL_UPSTREAMS (pool addresses, unix:/path or host:port, separated by spaces
# or commas; default: this stack's LISTEN) as the upstream's `server` lines on
# stdout, each with POOL_MAX_FAILS / POOL_FAIL_TIMEOUT_S. Dies on anything else.
render_pool_servers() {
  local pool list=${POOL_UPSTREAMS:-$LISTEN}
  local max_fails=${POOL_MAX_FAILS:-1} fail_timeout=${POOL_FAIL_TIMEOUT_S:-10}
  local -a pools=()
  require_number POOL_MAX_FAILS "$max_fails"
  require_number POOL_FAIL_TIMEOUT_S "$fail_timeout"
  read -r -a pools <<<"${list//,/ }"
  ((${#pools[@]} > 0)) || die "POOL_UPSTREAMS is empty"
  for pool in "${pools[@]}"; do
    [[ $pool =~ ^unix:/[^[:space:]\;{}]+$ || $pool =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$ ]] ||
      die "POOL_UPSTREAMS: '$pool' is not unix:/path or host:port"
    printf '    server %s max_fails=%s fail_timeout=%ss;\n' "$(fcgi_pass "$pool")" "$max_fails" \
      "$fail_timeout"
  done
}

# CORS_ALLOWED_ORIGINS (exact origins, separated by spaces or commas) as nginx
# map lines, one per origin, on stdout. Dies on anything that is not an origin:
# no wildcard (credentials are allowed), no path, no "null".
render_cors_origins() {
  local origin list=${CORS_ALLOWED_ORIGINS:-}
  local -a origins=()
  read -r -a origins <<<"${list//,/ }"
  for origin in "${origins[@]}"; do
    [[ $origin =~ ^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]] ||
      die "CORS_ALLOWED_ORIGINS: '$origin' is not an origin like https://shop.example.com[:port]"
    printf '"%s" $http_origin;\n' "$origin"
  done
}

render_nginx() {
  local rps=${RATE_LIMIT_RPS:-100} burst=${RATE_LIMIT_BURST:-200}
  local exempt=${RATE_LIMIT_LOOPBACK_EXEMPT:-1} max_body=${MAX_BODY_BYTES:-65536}
  local timeout=${REQUEST_TIMEOUT_S:-30} user_line=""
  require_number HTTP_PORT "$HTTP_PORT"
  require_number RATE_LIMIT_RPS "$rps"
  require_number RATE_LIMIT_BURST "$burst"
  require_number MAX_BODY_BYTES "$max_body"
  require_number REQUEST_TIMEOUT_S "$timeout"
  [[ $exempt == 0 || $exempt == 1 ]] || die "RATE_LIMIT_LOOPBACK_EXEMPT must be 0 or 1"
  # The master cancels a request at REQUEST_TIMEOUT_S and answers itself; nginx
  # waits one second longer so that answer gets through. 0 = no limit: an hour.
  if ((timeout == 0)); then timeout=3600; else timeout=$((timeout + 1)); fi
  # As root, nginx workers would become "nobody" and lose the socket under STATE_DIR.
  if is_root; then user_line="user root;"; fi

  mkdir -p -- "$NGINX_DIR/tmp" "$NGINX_DIR/conf.d"
  local cors_vary=""
  render_cors_origins >"$NGINX_DIR/cors-origins.map"
  render_pool_servers >"$NGINX_DIR/pool-servers"
  if [[ -s $NGINX_DIR/cors-origins.map ]]; then cors_vary="Origin"; fi
  cp -- "$REPO/nginx/response-headers.conf" "$NGINX_DIR/response-headers.conf"
  [[ -f $SITE_DIR/openapi.json ]] ||
    say "warning: $SITE_DIR/openapi.json is missing: /openapi.json and /docs answer 404 (run: make build)"
  sed -e "s|@USER_LINE@|$(sed_escape "$user_line")|g" \
    -e "s|@STATE_DIR@|$(sed_escape "$STATE_DIR")|g" \
    -e "s|@HTTP_BIND@|$(sed_escape "$HTTP_BIND")|g" \
    -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
    -e "/@POOL_SERVERS@/{r $NGINX_DIR/pool-servers" -e "d}" \
    -e "s|@STATUS_PASS@|$(sed_escape "$(fcgi_pass "$STATUS_LISTEN")")|g" \
    -e "s|@RATE_LIMIT_RPS@|$rps|g" \
    -e "s|@RATE_LIMIT_BURST@|$burst|g" \
    -e "s|@LIMIT_LOOPBACK@|$exempt|g" \
    -e "s|@MAX_BODY@|$max_body|g" \
    -e "s|@REQUEST_TIMEOUT@|$timeout|g" \
    -e "s|@SITE_DIR@|$(sed_escape "$SITE_DIR")|g" \
    -e "s|@CORS_VARY@|$cors_vary|g" \
    "$REPO/nginx/nginx.conf.template" >"$NGINX_CONF.new"
  if grep -n '@[A-Z_]*@' "$NGINX_CONF.new" >&2; then
    die "unreplaced placeholders in $NGINX_CONF.new"
  fi
  mv -f -- "$NGINX_CONF.new" "$NGINX_CONF"
}

nginx_cmd() {
  "$NGINX_BIN" -p "$NGINX_DIR/" -c "$NGINX_CONF" -e "$NGINX_ERROR_LOG" "$@"
}

start_nginx() {
  if is_running "$NGINX_PID_FILE"; then
    say "nginx already running (pid $(read_pid "$NGINX_PID_FILE"))"
    return 0
  fi
  port_is_free "$HTTP_PORT" || die "port $HTTP_PORT is in use; set HTTP_PORT to another port"
  render_nginx
  nginx_cmd -t -q || die "nginx rejected $NGINX_CONF"
  nginx_cmd || {
    show_log_tail "$NGINX_ERROR_LOG"
    die "nginx did not start"
  }
  wait_until 10 is_running "$NGINX_PID_FILE" || die "nginx wrote no pid file"
  printf '%s\n' "$HTTP_PORT" >"$HTTP_PORT_FILE"
  say "nginx started (pid $(read_pid "$NGINX_PID_FILE"), http://$HTTP_BIND:$HTTP_PORT)"
}

stop_nginx() {
  local pid
  if ! pid=$(read_pid "$NGINX_PID_FILE") || ! pid_alive "$pid"; then
    say "nginx not running"
    rm -f -- "$NGINX_PID_FILE" "$HTTP_PORT_FILE"
    return 0
  fi
  say "stopping nginx (pid $pid)"
  # QUIT: finish in-flight requests; TERM, then KILL, if that takes too long.
  stop_pid "$pid" QUIT 10 || stop_pid "$pid" TERM 5 || stop_pid "$pid" KILL 5 ||
    say "warning: nginx pid $pid survived SIGKILL"
  rm -f -- "$NGINX_PID_FILE" "$HTTP_PORT_FILE"
}

# --- commands ------------------------------------------------------------------------

cmd_up() {
  mkdir -p -- "$RUN_DIR" "$LOG_DIR" "$NGINX_DIR"
  # The sockets' directory: the service user and its group only (pg.sh gives
  # it the cluster owner's group so that PostgreSQL reaches run/pg).
  chmod 0750 -- "$RUN_DIR"
  server_bin >/dev/null
  ensure_database
  ensure_cache
  ensure_mail
  start_server
  start_nginx
  say "waiting for $(health_url)"
  if ! wait_until "$HEALTH_TIMEOUT_S" http_ok "$(health_url)"; then
    curl -sS --max-time 2 "$(health_url)" >&2 || true
    show_log_tail "$SERVER_LOG"
    show_log_tail "$NGINX_ERROR_LOG" 10
    die "the stack did not become healthy within ${HEALTH_TIMEOUT_S}s (stop it with: scripts/stack.sh down)"
  fi
  say "up: http://127.0.0.1:$HTTP_PORT (state $STATE_DIR)"
}

cmd_down() {
  stop_nginx
  stop_server
  if [[ -e $PG_MARKER ]]; then
    "$PG_SH" stop
    rm -f -- "$PG_MARKER"
  fi
  if [[ -e $REDIS_MARKER ]]; then
    "$REDIS_SH" stop
    rm -f -- "$REDIS_MARKER"
  fi
  if [[ -e $SMTP_MARKER ]]; then
    "$SMTP_SH" stop
    rm -f -- "$SMTP_MARKER"
  fi
  say "down"
}

cmd_run() {
  trap 'say "interrupted; stopping"; cmd_down; exit 0' INT TERM
  # A half-started stack is taken down again rather than left behind.
  if ! (cmd_up); then
    cmd_down
    exit 1
  fi
  say "serving on http://127.0.0.1:$HTTP_PORT — press Ctrl-C to stop"
  say "logs: $SERVER_LOG, $LOG_DIR/nginx-access.log, $NGINX_ERROR_LOG, $LOG_DIR/postgres.log, $LOG_DIR/redis.log, $LOG_DIR/smtp.log"
  say "mail: every message the stack sends is a file under $STATE_DIR/mail/new"
  # `sleep & wait` rather than a plain sleep so the trap runs at once.
  while is_running "$SERVER_PID_FILE"; do
    sleep 1 &
    wait $! || true
  done
  say "the server exited on its own; stopping the rest"
  show_log_tail "$SERVER_LOG"
  cmd_down
  exit 1
}

cmd_status() {
  local pid workers
  say "state: $STATE_DIR"
  if [[ -z ${DATABASE_URL:-} ]]; then
    "$PG_SH" status || true
  else
    say "database: DATABASE_URL from the environment"
  fi
  if [[ ${REDIS_URL:-} == off ]]; then
    say "redis: disabled (REDIS_URL=off)"
  elif [[ -n ${REDIS_URL:-} && ! -e $REDIS_MARKER ]]; then
    say "redis: REDIS_URL from the environment"
  else
    "$REDIS_SH" status || true
  fi
  if [[ -n ${SMTP_URL:-} && ! -e $SMTP_MARKER ]]; then
    say "smtp: SMTP_URL from the environment"
  else
    "$SMTP_SH" status || true
  fi
  if pid=$(read_pid "$SERVER_PID_FILE") && pid_alive "$pid"; then
    workers=$(pgrep -c -g "$pid" 2>/dev/null) || true
    say "server: running (pid $pid, ${workers:-?} processes in its group, listen $LISTEN)"
  else
    say "server: stopped"
  fi
  if is_running "$NGINX_PID_FILE"; then
    say "nginx: running (pid $(read_pid "$NGINX_PID_FILE"))"
  else
    say "nginx: stopped"
  fi
  if http_ok "$(health_url)"; then
    say "health: $(curl -sS --max-time 2 "$(health_url)")"
  else
    say "health: no answer on $(health_url)"
  fi
}

usage() {
  sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

main() {
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    run) cmd_run ;;
    status) cmd_status ;;
    render-nginx) render_nginx ;;
    *) usage ;;
  esac
}

main "$@"
