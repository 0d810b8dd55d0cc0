#!/usr/bin/env bash
# A local PostgreSQL 15 cluster under $STATE_DIR/pg, reachable only through a
# unix socket in $STATE_DIR/run/pg (listen_addresses=''), so that stacks with
# different STATE_DIRs never clash and nothing listens on TCP. Every
# connection authenticates (scram-sha-256) with a generated password kept in
# $STATE_DIR/pgpass (0600, libpq's passfile format), which `url` names.
#
#   pg.sh init            create the cluster (superuser "ecommerce")
#   pg.sh start           start it (idempotent) and create $PG_DATABASE if missing
#   pg.sh stop            fast shutdown (harmless when stopped or never created)
#   pg.sh status          exit 0 running, 3 stopped, 4 not initialised
#   pg.sh url [DB]        print the DATABASE_URL (libpq URI) for DB (default $PG_DATABASE)
#   pg.sh createdb NAME   create database NAME if missing (cluster must run)
#   pg.sh psql [ARGS...]  psql connected to $PG_DATABASE
#
# PostgreSQL refuses to run as root, so as root the server programs run as the
# "postgres" system user, which owns $STATE_DIR/pg.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$STATE_DIR/pg"
PG_LOG="$LOG_DIR/postgres.log"
# Our settings live in an include file rewritten on every start; postgresql.conf
# itself stays as initdb wrote it plus one include line.
PG_SETTINGS="$PG_DATA/ecommerce.conf"
PG_SUPERUSER=ecommerce
PG_DATABASE="${PG_DATABASE:-ecommerce}"
PG_OS_USER=postgres
PG_SOCKET_DIR="$RUN_DIR/pg"
PG_PASSFILE="$STATE_DIR/pgpass"
PG_HBA="$PG_DATA/pg_hba.conf"
PG_HBA_MARKER="# Written by scripts/pg.sh: scram-sha-256 only."

# --- running things as the cluster owner ---------------------------------------

# Runs "$@" as the cluster owner, from / so that an unreadable working directory
# (e.g. /root) does not bother PostgreSQL's programs.
as_owner() {
  if is_root; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

ensure_os_user() {
  is_root || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  say "creating system user $PG_OS_USER"
  useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
    --shell /usr/sbin/nologin "$PG_OS_USER"
}

# The owner must be able to walk down to $STATE_DIR (mktemp -d makes 0700
# directories, for instance). Adds o+x to each ancestor it cannot traverse.
ensure_traversable() {
  is_root || return 0
  local dir="" part
  local -a parts
  # Top-down: access(2) on a directory also needs every ancestor searchable.
  IFS=/ read -r -a parts <<<"${STATE_DIR#/}"
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    [[ -d $dir ]] || break
    if ! runuser -u "$PG_OS_USER" -- test -x "$dir"; then
      say "making $dir traversable (o+x) for user $PG_OS_USER"
      chmod o+x -- "$dir"
    fi
  done
}

# Creates the directories. The run directory holds the server's and nginx's
# sockets and pid files: 0750, so only its owner and group may enter. As root,
# its group is $PG_OS_USER, which lets the cluster owner through to its own
# socket directory (run/pg); the FastCGI and status sockets are 0660 of root's
# group and the control socket 0600, so that passage opens none of them.
prepare_dirs() {
  ensure_os_user
  mkdir -p -- "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$PG_DATA" "$PG_SOCKET_DIR"
  touch -- "$PG_LOG"
  if is_root; then
    chown "$PG_OS_USER:$PG_OS_USER" -- "$PG_DATA" "$PG_LOG" "$PG_SOCKET_DIR"
    chgrp "$PG_OS_USER" -- "$RUN_DIR"
    ensure_traversable
  fi
  chmod 0750 -- "$RUN_DIR"
  chmod 0755 -- "$PG_SOCKET_DIR"
  chmod 0700 -- "$PG_DATA"
}

# --- the password ----------------------------------------------------------------

# Generates the superuser's password into $PG_PASSFILE once (0600: written
# under umask 077, so it is never readable by anyone else, even briefly).
ensure_password() {
  [[ -s $PG_PASSFILE ]] && return 0
  local password
  password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  [[ ${#password} -eq 64 ]] || die "cannot generate a password"
  (
    umask 077
    printf '*:*:*:%s:%s\n' "$PG_SUPERUSER" "$password" >"$PG_PASSFILE.tmp.$$"
  )
  mv -f -- "$PG_PASSFILE.tmp.$$" "$PG_PASSFILE"
}

stored_password() {
  cut -d: -f5 -- "$PG_PASSFILE"
}

# Replaces trust (initdb's, or an older cluster's) by scram-sha-256: while the
# server still trusts, it sets the superuser's password, then pg_hba.conf is
# rewritten and reloaded. Harmless to repeat.
secure_auth() {
  grep -qxF "$PG_HBA_MARKER" "$PG_HBA" 2>/dev/null && return 0
  ensure_password
  say "setting the superuser's password and requiring it (scram-sha-256)"
  # On stdin, so that the password is in no process list.
  printf "SET password_encryption = 'scram-sha-256';\nALTER ROLE \"%s\" PASSWORD '%s';\n" \
    "$PG_SUPERUSER" "$(stored_password)" |
    psql_cmd -d postgres -f - >/dev/null
  printf '%s\n%s\n%s\n' "$PG_HBA_MARKER" "# TYPE  DATABASE  USER  METHOD" \
    "local   all       all   scram-sha-256" >"$PG_HBA.tmp"
  if is_root; then chown "$PG_OS_USER:$PG_OS_USER" -- "$PG_HBA.tmp"; fi
  chmod 0600 -- "$PG_HBA.tmp"
  mv -f -- "$PG_HBA.tmp" "$PG_HBA"
  as_owner "$PG_BIN/pg_ctl" reload -D "$PG_DATA" -s
}

# --- settings ----------------------------------------------------------------

# Prints the value of KEY from the settings file of the last start, if any.
stored_setting() {
  local key=$1
  [[ -r $PG_SETTINGS ]] || return 0
  sed -n "s/^$key = '\{0,1\}\([^']*\)'\{0,1\}\$/\1/p" "$PG_SETTINGS" | tail -n 1
}

# Environment first, then what the cluster ran with last time, then the default:
# e2e tests restart a cluster with only STATE_DIR set and must get the same port.
setting() {
  local env_name=$1 key=$2 default=$3 value
  value=${!env_name:-}
  [[ -n $value ]] || value=$(stored_setting "$key")
  printf '%s\n' "${value:-$default}"
}

pg_port() {
  setting PG_PORT port 5432
}

write_settings() {
  local port max_conn shared_buffers fsync
  port=$(pg_port)
  max_conn=$(setting PG_MAX_CONNECTIONS max_connections 200)
  shared_buffers=$(setting PG_SHARED_BUFFERS shared_buffers 128MB)
  fsync=$(setting PG_FSYNC fsync on)
  [[ $port =~ ^[0-9]+$ ]] || die "PG_PORT must be a number, got '$port'"
  [[ $max_conn =~ ^[0-9]+$ ]] || die "PG_MAX_CONNECTIONS must be a number, got '$max_conn'"
  check_socket_path "$PG_SOCKET_DIR/.s.PGSQL.$port"
  cat >"$PG_SETTINGS" <<EOF
# Written by scripts/pg.sh on every start: change the environment, not this file.
listen_addresses = ''
port = $port
unix_socket_directories = '$PG_SOCKET_DIR'
password_encryption = 'scram-sha-256'
max_connections = $max_conn
shared_buffers = '$shared_buffers'
fsync = $fsync
EOF
  if is_root; then chown "$PG_OS_USER:$PG_OS_USER" -- "$PG_SETTINGS"; fi
}

# --- commands ------------------------------------------------------------------

initialised() {
  [[ -f $PG_DATA/PG_VERSION ]]
}

running() {
  initialised && as_owner "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

cmd_init() {
  [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb not found; run scripts/deps.sh"
  if initialised; then
    say "cluster already initialised at $PG_DATA"
    return 0
  fi
  prepare_dirs
  local locale=C.UTF-8
  # C.UTF-8 ships with libc-bin on Debian 12; plain C is the safe fallback.
  locale -a 2>/dev/null | grep -qixE 'c\.utf-?8' || locale=C
  say "initialising cluster at $PG_DATA (locale $locale)"
  if ! as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --auth=trust -E UTF8 \
    --locale="$locale" >>"$PG_LOG" 2>&1; then
    show_log_tail "$PG_LOG"
    die "initdb failed"
  fi
  printf "\ninclude = 'ecommerce.conf'\n" >>"$PG_DATA/postgresql.conf"
  write_settings
}

cmd_start() {
  initialised || die "no cluster at $PG_DATA; run: scripts/pg.sh init"
  if running && [[ ! -S $PG_SOCKET_DIR/.s.PGSQL.$(pg_port) ]]; then
    say "running with its socket elsewhere (an older layout); restarting it"
    cmd_stop
  fi
  if running; then
    say "already running (socket $PG_SOCKET_DIR, port $(pg_port))"
  else
    prepare_dirs
    write_settings
    say "starting PostgreSQL (socket $PG_SOCKET_DIR, port $(pg_port), log $PG_LOG)"
    if ! as_owner "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w \
      -t "${PG_START_TIMEOUT:-60}" -s; then
      show_log_tail "$PG_LOG"
      die "PostgreSQL did not start"
    fi
  fi
  secure_auth
  create_database "$PG_DATABASE"
}

cmd_stop() {
  if ! initialised; then
    say "no cluster at $PG_DATA; nothing to stop"
    return 0
  fi
  if ! running; then
    say "not running"
    return 0
  fi
  say "stopping PostgreSQL"
  if ! as_owner "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "${PG_STOP_TIMEOUT:-60}" -s; then
    say "fast shutdown timed out; shutting down immediately"
    as_owner "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -s || true
  fi
}

cmd_status() {
  if ! initialised; then
    say "not initialised ($PG_DATA)"
    return 4
  fi
  if running; then
    say "running (pid $(head -n 1 "$PG_DATA/postmaster.pid"), socket $PG_SOCKET_DIR, port $(pg_port))"
    return 0
  fi
  say "stopped ($PG_DATA)"
  return 3
}

# The password travels as the name of the file that holds it, never in the URL.
cmd_url() {
  local db=${1:-$PG_DATABASE}
  printf 'postgresql://%s@/%s?host=%s&port=%s&passfile=%s\n' "$PG_SUPERUSER" "$db" \
    "$PG_SOCKET_DIR" "$(pg_port)" "$PG_PASSFILE"
}

psql_cmd() {
  PGPASSFILE="${PGPASSFILE:-$PG_PASSFILE}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$PG_SOCKET_DIR" -p "$(pg_port)" -U "$PG_SUPERUSER" "$@"
}

create_database() {
  local db=$1
  # The name ends up in SQL text, so only plain identifiers are accepted.
  [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name must be a plain identifier, got '$db'"
  running || die "PostgreSQL is not running; run: scripts/pg.sh start"
  if [[ -z "$(psql_cmd -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
    say "creating database $db"
    psql_cmd -d postgres -c "CREATE DATABASE \"$db\""
  fi
}

usage() {
  sed -n '2,16s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

main() {
  local command=${1:-}
  [[ -n $command ]] || usage
  shift
  case $command in
    init) cmd_init ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url "$@" ;;
    createdb) [[ $# -eq 1 ]] || usage; create_database "$1" ;;
    psql) psql_cmd -d "$PG_DATABASE" "$@" ;;
    *) usage ;;
  esac
}

main "$@"
