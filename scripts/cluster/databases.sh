# shellcheck shell=bash
# scripts/cluster.sh's data hosts: PostgreSQL on db1 (primary) and db2
# (streaming replica made by pg_basebackup), Redis on cache. Source it (after
# scripts/cluster/hosts.sh), do not run it.

# --- PostgreSQL ------------------------------------------------------------------

pg_data() { printf '%s/pg\n' "$(host_dir "$1")"; }
pg_socket_dir() { printf '%s/run\n' "$(host_dir "$1")"; }
pg_log() { printf '%s/postgres.log\n' "$(host_dir "$1")"; }

as_postgres() {
  (cd / && runuser -u "$PG_OS_USER" -- "$@")
}

pg_running() {
  [[ -f $(pg_data "$1")/postmaster.pid ]] &&
    as_postgres "$PG_BIN/pg_ctl" status -D "$(pg_data "$1")" >/dev/null 2>&1
}

# The settings of host $1 (db1 or db2), rewritten on every start.
write_pg_settings() {
  local host=$1 file
  file="$(pg_data "$host")/ecommerce.conf"
  cat >"$file" <<EOF
# Written by scripts/cluster.sh on every start.
listen_addresses = '$(addr "$host")'
port = 5432
unix_socket_directories = '$(pg_socket_dir "$host")'
password_encryption = 'scram-sha-256'
max_connections = $CLUSTER_PG_MAX_CONNECTIONS
shared_buffers = '32MB'
fsync = ${PG_FSYNC:-on}
wal_level = replica
max_wal_senders = 5
wal_keep_size = '128MB'
hot_standby = on
hot_standby_feedback = on
EOF
  if [[ $host == db2 ]]; then
    printf "primary_conninfo = 'host=%s port=5432 user=%s passfile=%s application_name=db2'\n" \
      "$(addr db1)" "$PG_SUPERUSER" "$(host_dir db2)/pgpass" >>"$file"
  fi
  chown "$PG_OS_USER:$PG_OS_USER" -- "$file"
  grep -qxF "include 'ecommerce.conf'" "$(pg_data "$host")/postgresql.conf" ||
    printf "include 'ecommerce.conf'\n" >>"$(pg_data "$host")/postgresql.conf"
}

write_pg_hba() {
  local host=$1
  cat >"$(pg_data "$host")/pg_hba.conf" <<EOF
# Written by scripts/cluster.sh: scram-sha-256 only, the cluster's subnet only.
local   all          all                          scram-sha-256
host    all          all   $CLUSTER_SUBNET.0/24   scram-sha-256
host    replication  all   $CLUSTER_SUBNET.0/24   scram-sha-256
EOF
  chown "$PG_OS_USER:$PG_OS_USER" -- "$(pg_data "$host")/pg_hba.conf"
  chmod 0600 -- "$(pg_data "$host")/pg_hba.conf"
}

prepare_pg_dirs() {
  local host=$1 dir
  dir=$(host_dir "$host")
  mkdir -p -- "$dir" "$(pg_socket_dir "$host")"
  touch -- "$(pg_log "$host")"
  chown "$PG_OS_USER:$PG_OS_USER" -- "$dir" "$(pg_socket_dir "$host")" "$(pg_log "$host")"
  write_passfile "$dir/pgpass" "$PG_OS_USER"
}

pg_start() {
  local host=$1
  pg_running "$host" && return 0
  write_pg_settings "$host"
  write_pg_hba "$host"
  rm -f -- "$(pg_data "$host")/postmaster.pid"
  on "$host" runuser -u "$PG_OS_USER" -- "$PG_BIN/pg_ctl" start -D "$(pg_data "$host")" \
    -l "$(pg_log "$host")" -w -t 60 -s || {
    show_log_tail "$(pg_log "$host")"
    die "PostgreSQL on $host did not start"
  }
  say "$host: PostgreSQL running on $(addr "$host"):5432"
}

pg_stop() {
  local host=$1
  pg_running "$host" || return 0
  as_postgres "$PG_BIN/pg_ctl" stop -D "$(pg_data "$host")" -m fast -w -t 30 -s || true
}

# psql on host $1 over its unix socket (the filesystem is shared), as the superuser.
pg_psql() {
  local host=$1
  shift
  PGPASSFILE="$CLUSTER_DIR/pgpass" psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_socket_dir "$host")" \
    -U "$PG_SUPERUSER" "$@"
}

start_db1() {
  prepare_pg_dirs db1
  if [[ ! -f $(pg_data db1)/PG_VERSION ]]; then
    say "db1: initdb"
    local pwfile
    pwfile="$(host_dir db1)/initdb-password"
    (
      umask 077
      pg_password >"$pwfile"
    )
    chown "$PG_OS_USER:$PG_OS_USER" -- "$pwfile"
    as_postgres "$PG_BIN/initdb" -D "$(pg_data db1)" -U "$PG_SUPERUSER" --pwfile="$pwfile" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f -- "$pwfile"
  fi
  pg_start db1
  if [[ -z $(pg_psql db1 -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ]]; then
    pg_psql db1 -d postgres -c "CREATE DATABASE \"$PG_DATABASE\""
  fi
}

start_db2() {
  prepare_pg_dirs db2
  if [[ ! -f $(pg_data db2)/PG_VERSION ]]; then
    say "db2: pg_basebackup from db1"
    on db2 runuser -u "$PG_OS_USER" -- env PGPASSFILE="$(host_dir db2)/pgpass" \
      "$PG_BIN/pg_basebackup" -h "$(addr db1)" -U "$PG_SUPERUSER" -D "$(pg_data db2)" \
      -X stream -c fast >/dev/null
    as_postgres touch "$(pg_data db2)/standby.signal"
  fi
  pg_start db2
}

# --- Redis ---------------------------------------------------------------------------

redis_pid_file() { printf '%s/run/redis.pid\n' "$(host_dir cache)"; }

redis_ping() {
  [[ "$(on cache env REDISCLI_AUTH="$(redis_password)" redis-cli -h "$(addr cache)" PING 2>/dev/null)" == PONG ]]
}

start_cache() {
  local dir
  dir=$(host_dir cache)
  if is_running "$(redis_pid_file)" && redis_ping; then return 0; fi
  mkdir -p -- "$dir/run"
  remove_stale_pidfile "$(redis_pid_file)"
  # A config file (0600) rather than arguments: the password stays out of ps.
  (
    umask 077
    cat >"$dir/redis.conf" <<EOF
daemonize yes
pidfile $(redis_pid_file)
bind $(addr cache)
port 6379
requirepass $(redis_password)
save ""
appendonly no
dir $dir/run
logfile $dir/redis.log
maxmemory ${REDIS_MAXMEMORY:-64mb}
maxmemory-policy allkeys-lru
EOF
  )
  on cache "$REDIS_BIN" "$dir/redis.conf" || die "redis-server on cache did not start"
  wait_until 10 redis_ping || {
    show_log_tail "$dir/redis.log"
    die "Redis on cache did not answer"
  }
  say "cache: Redis running on $(addr cache):6379"
}

stop_cache() {
  local pid
  pid=$(read_pid "$(redis_pid_file)") || return 0
  stop_pid "$pid" TERM 10 || stop_pid "$pid" KILL 5 || true
  rm -f -- "$(redis_pid_file)"
}
