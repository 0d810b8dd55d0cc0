#!/usr/bin/env bash
# The service on several hosts, on one machine: each host is a Linux network
# namespace with a private address on a bridge of its own.
#
#   db1    PostgreSQL primary            CLUSTER_SUBNET.11:5432
#   db2    streaming replica (pg_basebackup of db1)   .12:5432
#   cache  Redis                                      .13:6379
#   app1   a pool (FastCGI over TCP, only from edge)  .21:9000 (status .21:9001)
#          with its job runners, and the SMTP server   .21:2525 (mail in app1/smtp/mail/new)
#   app2   a pool with its job runners                .22:9000 (status .22:9001)
#   edge   nginx with both pools upstream             .30 (nginx on its own loopback)
#
# From the root namespace the cluster is reachable only at
# http://127.0.0.1:$CLUSTER_HTTP_PORT: socat there relays to a unix socket
# under CLUSTER_DIR, where a socat inside edge relays on to edge's nginx on
# edge's loopback (so nginx sees a loopback client, as with `make up`). The
# bridge has no address in the root namespace: nothing else is reachable from
# outside, and nothing listens outside the namespaces but that relay.
#
#   cluster.sh up              start what is not running (twice is safe); migrate, seed, wait for /health
#   cluster.sh down            stop everything it started; remove the namespaces and the bridge
#   cluster.sh status          each host and what runs on it
#   cluster.sh stop HOST       stop one host's service (db1 db2 cache app1 app2 edge)
#   cluster.sh kill HOST       SIGKILL a pool host's whole process group (app1, app2)
#   cluster.sh start HOST      start one host's service again
#   cluster.sh psql HOST ARGS  psql on db1 or db2 (database $PG_DATABASE)
#
# Settings: CLUSTER_DIR ($STATE_DIR/cluster), CLUSTER_HTTP_PORT (8090),
# CLUSTER_PREFIX (ecl: namespaces ecl-db1 ..., bridge ecl-br),
# CLUSTER_SUBNET (10.231.7: a /24), CLUSTER_WORKERS (2 per pool),
# CLUSTER_PG_MAX_CONNECTIONS (100), CLUSTER_JOB_RUNNERS (1 per pool),
# CLUSTER_POOL_SETTINGS ("KEY=VALUE ..." given to both pools last, so they win),
# ADMIN_EMAIL / ADMIN_PASSWORD (as `make up`),
# and every setting of the pool, passed through (pool_env).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_DIR="$(realpath -m -- "${CLUSTER_DIR:-$STATE_DIR/cluster}")"
CLUSTER_HTTP_PORT="${CLUSTER_HTTP_PORT:-8090}"
CLUSTER_PREFIX="${CLUSTER_PREFIX:-ecl}"
CLUSTER_SUBNET="${CLUSTER_SUBNET:-10.231.7}"
CLUSTER_WORKERS="${CLUSTER_WORKERS:-2}"
CLUSTER_PG_MAX_CONNECTIONS="${CLUSTER_PG_MAX_CONNECTIONS:-100}"
BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATABASE="${PG_DATABASE:-ecommerce}"
REDIS_BIN="${REDIS_BIN:-redis-server}"
NGINX_BIN="${NGINX_BIN:-nginx}"
PG_OS_USER=postgres
PG_SUPERUSER=ecommerce
HOSTS=(db1 db2 cache app1 app2 edge)
POOL_VARS=()
POOL_PORT=9000
STATUS_PORT=9001
SMTP_PORT_CLUSTER=2525
CLUSTER_JOB_RUNNERS="${CLUSTER_JOB_RUNNERS:-1}"

[[ $CLUSTER_PREFIX =~ ^[a-z][a-z0-9]{0,7}$ ]] ||
  die "CLUSTER_PREFIX must be 1-8 lower-case letters and digits, starting with a letter"
[[ $CLUSTER_SUBNET =~ ^(10|172|192)\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
  die "CLUSTER_SUBNET must be the first three octets of a private /24, e.g. 10.231.7"
[[ $CLUSTER_HTTP_PORT =~ ^[0-9]+$ ]] || die "CLUSTER_HTTP_PORT must be a port number"

# shellcheck source=scripts/cluster/hosts.sh
source "$REPO/scripts/cluster/hosts.sh"
# shellcheck source=scripts/cluster/databases.sh
source "$REPO/scripts/cluster/databases.sh"

# --- the pools -------------------------------------------------------------------------

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

database_url() {
  printf 'postgresql://%s@%s:5432/%s?passfile=%s\n' "$PG_SUPERUSER" "$(addr "$1")" "$PG_DATABASE" \
    "$CLUSTER_DIR/pgpass"
}

redis_url() {
  printf 'redis://:%s@%s:6379/0\n' "$(redis_password)" "$(addr cache)"
}

# The environment of pool host $1, as NAME=VALUE lines. The caller's
# environment passes through (BCRYPT_COST, ENABLE_TEST_ROUTES, LOG_LEVEL, ...);
# these override what must differ per host. A setting every pool host needs
# (e.g. JOB_RUNNERS, SMTP_URL) is one more line here.
# --- the mail server (on app1; every pool's job runners send to it) -----------------------

smtp_url() { printf 'smtp://%s:%s\n' "$(addr app1)" "$SMTP_PORT_CLUSTER"; }

# scripts/smtp.sh inside app1, on app1's address, its state under app1/smtp.
smtp_on_app1() {
  on app1 env STATE_DIR="$(host_dir app1)/smtp" SMTP_HOST="$(addr app1)" \
    SMTP_PORT="$SMTP_PORT_CLUSTER" "$REPO/scripts/smtp.sh" "$@"
}

start_mail() { smtp_on_app1 start >/dev/null || die "the SMTP server on app1 did not start"; }
stop_mail() { smtp_on_app1 stop >/dev/null 2>&1 || true; }

pool_env() {
  local host=$1 max_workers=$((CLUSTER_WORKERS > 4 ? CLUSTER_WORKERS : 4))
  local pool_hosts=2 reload_batch=${RELOAD_BATCH:-2} runners=$CLUSTER_JOB_RUNNERS
  cat <<EOF
STATE_DIR=$(host_dir "$host")
LISTEN=$(addr "$host"):$POOL_PORT
STATUS_LISTEN=$(addr "$host"):$STATUS_PORT
FCGI_ALLOWED_ADDRS=$(addr edge)
CONTROL_SOCKET=$(host_dir "$host")/run/ctl.sock
PID_FILE=$(host_dir "$host")/run/server.pid
DATABASE_URL=$(database_url db1)
DATABASE_READ_URL=$(database_url db2)
REDIS_URL=$(redis_url)
WORKERS=$CLUSTER_WORKERS
MAX_WORKERS=$max_workers
JOB_RUNNERS=$runners
SMTP_URL=$(smtp_url)
DB_RESERVED_CONNECTIONS=$((3 + (pool_hosts - 1) * (max_workers + reload_batch + runners)))
JWT_SECRET=$(cat -- "$CLUSTER_DIR/jwt-secret")
EOF
  local setting
  for setting in ${CLUSTER_POOL_SETTINGS:-}; do
    [[ $setting =~ ^[A-Z][A-Z0-9_]*=[^[:space:]]*$ ]] ||
      die "CLUSTER_POOL_SETTINGS: '$setting' is not KEY=VALUE"
    printf '%s\n' "$setting"
  done
}

# Fills POOL_VARS with host $1's pool environment (pool_env).
load_pool_env() {
  local line
  POOL_VARS=()
  while IFS= read -r line; do POOL_VARS+=("$line"); done < <(pool_env "$1")
}

# Runs "$@" with host $1's pool environment, in its namespace.
with_pool_env() {
  local host=$1
  shift
  load_pool_env "$host"
  on "$host" env "${POOL_VARS[@]}" "$@"
}

pool_pid_file() { printf '%s/run/server.pid\n' "$(host_dir "$1")"; }

pool_listening() {
  [[ -n $(on "$1" ss -Hltn "sport = :$POOL_PORT" 2>/dev/null) ]]
}

start_pool() {
  local host=$1 bin dir pid
  bin=$(server_bin)
  dir=$(host_dir "$host")
  if is_running "$(pool_pid_file "$host")"; then return 0; fi
  mkdir -p -- "$dir/run" "$dir/log"
  chmod 0750 -- "$dir/run"
  printf '\n==== %s cluster.sh: starting %s serve on %s ====\n' "$(date -Is)" "$bin" "$host" \
    >>"$dir/log/server.log"
  # setsid: a process group of its own, so `kill` can end the whole pool. A
  # plain command, so that $! is the master itself (ip, env and setsid exec).
  load_pool_env "$host"
  ip netns exec "$(netns "$host")" env "${POOL_VARS[@]}" setsid "$bin" serve \
    >>"$dir/log/server.log" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$(pool_pid_file "$host")"
  printf '%s\n' "$pid" >"$dir/run/server.pgid"
  if ! wait_until 30 pool_listening "$host"; then
    show_log_tail "$dir/log/server.log"
    die "the pool on $host did not listen on $(addr "$host"):$POOL_PORT"
  fi
  say "$host: pool running (pid $pid, FastCGI on $(addr "$host"):$POOL_PORT from $(addr edge) only)"
}

# stop_pool HOST [SIGNAL]: QUIT (graceful) by default; KILL ends the group at once.
stop_pool() {
  local host=$1 signal=${2:-QUIT} pid pgid dir
  dir=$(host_dir "$host")
  pid=$(read_pid "$(pool_pid_file "$host")") || pid=""
  pgid=$(read_pid "$dir/run/server.pgid") || pgid=$pid
  if [[ $signal == KILL && -n $pgid ]]; then
    kill -KILL -- "-$pgid" 2>/dev/null || true
  elif [[ -n $pid ]] && ! stop_pid "$pid" "$signal" 40; then
    kill -KILL -- "-${pgid:-$pid}" 2>/dev/null || true
  fi
  if [[ -n $pid ]]; then wait_until 5 pid_gone "$pid" || true; fi
  if [[ -n $pgid ]] && group_alive "$pgid"; then kill -KILL -- "-$pgid" 2>/dev/null || true; fi
  rm -f -- "$(pool_pid_file "$host")" "$dir/run/server.pgid"
}

migrate_and_seed() {
  local bin
  bin=$(server_bin)
  say "migrating and seeding (from app1)"
  # STATE_DIR=CLUSTER_DIR: a generated admin password lands in $CLUSTER_DIR/admin-password.
  with_pool_env app1 STATE_DIR="$CLUSTER_DIR" "$bin" migrate >/dev/null || die "migrate failed"
  with_pool_env app1 STATE_DIR="$CLUSTER_DIR" "$bin" seed || die "seed failed"
}

# --- the edge ---------------------------------------------------------------------------

edge_nginx_pid() { printf '%s/run/nginx.pid\n' "$(host_dir edge)"; }
edge_relay_pid() { printf '%s/run/relay.pid\n' "$(host_dir edge)"; }
root_relay_pid() { printf '%s/relay.pid\n' "$CLUSTER_DIR"; }
edge_socket() { printf '%s/run/http.sock\n' "$(host_dir edge)"; }

start_edge() {
  local dir pid
  dir=$(host_dir edge)
  mkdir -p -- "$dir/run" "$dir/log"
  chmod 0750 -- "$dir/run"
  if ! is_running "$(edge_nginx_pid)"; then
    STATE_DIR="$dir" HTTP_BIND=127.0.0.1 HTTP_PORT=80 \
      POOL_UPSTREAMS="$(addr app1):$POOL_PORT $(addr app2):$POOL_PORT" \
      LISTEN="$(addr app1):$POOL_PORT" STATUS_LISTEN="$(addr app1):$STATUS_PORT" \
      "$REPO/scripts/stack.sh" render-nginx
    on edge "$NGINX_BIN" -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$dir/log/nginx-error.log" || {
      show_log_tail "$dir/log/nginx-error.log"
      die "nginx on edge did not start"
    }
    wait_until 10 is_running "$(edge_nginx_pid)" || die "nginx on edge wrote no pid file"
  fi
  if ! is_running "$(edge_relay_pid)"; then
    rm -f -- "$(edge_socket)"
    on edge setsid socat "UNIX-LISTEN:$(edge_socket),fork,mode=600,backlog=511" TCP:127.0.0.1:80 \
      </dev/null >>"$dir/log/relay.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$(edge_relay_pid)"
    wait_until 10 test -S "$(edge_socket)" || die "the relay on edge did not open $(edge_socket)"
  fi
  if ! is_running "$(root_relay_pid)"; then
    port_is_free "$CLUSTER_HTTP_PORT" ||
      die "port $CLUSTER_HTTP_PORT is in use; set CLUSTER_HTTP_PORT to another port"
    setsid socat "TCP-LISTEN:$CLUSTER_HTTP_PORT,bind=127.0.0.1,fork,reuseaddr,backlog=511" \
      "UNIX-CONNECT:$(edge_socket)" </dev/null >>"$CLUSTER_DIR/relay.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$(root_relay_pid)"
    wait_until 10 port_taken "$CLUSTER_HTTP_PORT" || {
      show_log_tail "$CLUSTER_DIR/relay.log" 10
      die "the relay did not listen on 127.0.0.1:$CLUSTER_HTTP_PORT"
    }
  fi
  say "edge: nginx upstream $(addr app1):$POOL_PORT $(addr app2):$POOL_PORT; http://127.0.0.1:$CLUSTER_HTTP_PORT"
}

stop_pid_file() {
  local file=$1 signal=$2 pid
  pid=$(read_pid "$file") || return 0
  stop_pid "$pid" "$signal" 10 || stop_pid "$pid" KILL 5 || true
  rm -f -- "$file"
}

stop_edge() {
  stop_pid_file "$(root_relay_pid)" TERM
  stop_pid_file "$(edge_relay_pid)" TERM
  stop_pid_file "$(edge_nginx_pid)" QUIT
  rm -f -- "$(edge_socket)"
}

port_taken() { ! port_is_free "$1"; }

health_url() { printf 'http://127.0.0.1:%s/health\n' "$CLUSTER_HTTP_PORT"; }

# --- commands ---------------------------------------------------------------------------

require_root() {
  is_root || die "network namespaces need root"
  command -v ip >/dev/null || die "ip (iproute2) is missing: make deps"
  command -v socat >/dev/null || die "socat is missing: make deps"
}

start_host() {
  case $1 in
    db1) start_db1 ;;
    db2) start_db2 ;;
    cache) start_cache ;;
    app1) start_mail && start_pool app1 ;;
    app2) start_pool app2 ;;
    edge) start_edge ;;
    *) die "unknown host '$1' (hosts: ${HOSTS[*]})" ;;
  esac
}

stop_host() {
  case $1 in
    db1 | db2) pg_stop "$1" ;;
    cache) stop_cache ;;
    app1) stop_pool app1 && stop_mail ;;
    app2) stop_pool app2 ;;
    edge) stop_edge ;;
    *) die "unknown host '$1' (hosts: ${HOSTS[*]})" ;;
  esac
}

cmd_up() {
  require_root
  server_bin >/dev/null
  mkdir -p -- "$CLUSTER_DIR"
  chmod 0755 -- "$CLUSTER_DIR"
  # PostgreSQL runs as its own user and must reach its directories.
  local dir=$CLUSTER_DIR
  while [[ $dir != / ]]; do
    runuser -u "$PG_OS_USER" -- test -x "$dir" 2>/dev/null || chmod o+x -- "$dir"
    dir=$(dirname -- "$dir")
  done
  ensure_secret_file "$CLUSTER_DIR/pg-password"
  ensure_secret_file "$CLUSTER_DIR/redis-password"
  # One JWT key for every pool host: a token from app1 is valid on app2.
  ensure_secret_file "$CLUSTER_DIR/jwt-secret"
  write_passfile "$CLUSTER_DIR/pgpass" root
  ensure_network
  start_db1
  start_db2
  start_cache
  migrate_and_seed
  start_mail
  start_pool app1
  start_pool app2
  start_edge
  if ! wait_until "${HEALTH_TIMEOUT_S:-30}" http_ok "$(health_url)"; then
    curl -sS --max-time 2 "$(health_url)" >&2 || true
    die "the cluster did not become healthy (stop it with: scripts/cluster.sh down)"
  fi
  say "up: http://127.0.0.1:$CLUSTER_HTTP_PORT (state $CLUSTER_DIR)"
}

cmd_down() {
  require_root
  stop_edge
  stop_pool app1
  stop_pool app2
  stop_mail
  stop_cache
  pg_stop db2
  pg_stop db1
  remove_network
  say "down"
}

cmd_status() {
  local host state
  say "cluster: $CLUSTER_DIR (namespaces $(netns '*'), bridge $(bridge))"
  for host in "${HOSTS[@]}"; do
    if ! netns_exists "$host"; then
      state="no namespace"
    else
      case $host in
        db1 | db2)
          if pg_running "$host"; then
            state="PostgreSQL running ($(pg_psql "$host" -d postgres -tAc \
              "SELECT CASE WHEN pg_is_in_recovery() THEN 'replica, replayed ' || pg_last_wal_replay_lsn() ELSE 'primary at ' || pg_current_wal_lsn() END" 2>/dev/null || echo '?'))"
          else
            state="PostgreSQL stopped"
          fi
          ;;
        cache) if redis_ping; then state="Redis running"; else state="Redis stopped"; fi ;;
        app1 | app2)
          if is_running "$(pool_pid_file "$host")"; then
            state="pool running (pid $(read_pid "$(pool_pid_file "$host")"), $CLUSTER_JOB_RUNNERS job runner(s))"
          else
            state="pool stopped"
          fi
          ;;
        edge) if is_running "$(edge_nginx_pid)"; then state="nginx running"; else state="nginx stopped"; fi ;;
      esac
    fi
    say "$(printf '%-5s %-15s %s' "$host" "$(addr "$host")" "$state")"
    if [[ $host == app1 ]] && netns_exists app1; then
      if smtp_on_app1 status >/dev/null 2>&1; then state="SMTP server running"; else state="SMTP server stopped"; fi
      say "$(printf '%-5s %-15s %s (%s)' "" "" "$state" "$(smtp_url)")"
    fi
  done
  if http_ok "$(health_url)"; then
    say "health: $(curl -sS --max-time 2 "$(health_url)")"
  else
    say "health: no answer on $(health_url)"
  fi
}

usage() {
  sed -n '2,34s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

main() {
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    start)
      require_root
      start_host "${2:?host}"
      ;;
    stop)
      require_root
      stop_host "${2:?host}"
      ;;
    kill)
      require_root
      [[ ${2:-} == app1 || ${2:-} == app2 ]] || die "kill takes app1 or app2"
      stop_pool "$2" KILL
      ;;
    psql)
      [[ ${2:-} == db1 || ${2:-} == db2 ]] || die "psql takes db1 or db2"
      local host=$2
      shift 2
      pg_psql "$host" -d "$PG_DATABASE" "$@"
      ;;
    *) usage ;;
  esac
}

main "$@"
