#!/usr/bin/env bash
# Entry point of the Docker image (see Dockerfile): waits for the database,
# then runs the whole stack in the foreground. As PID 1 it receives the
# container's SIGTERM, on which stack.sh drains the pool and stops nginx.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Inside a container nginx must listen on every interface to be published.
export HTTP_BIND="${HTTP_BIND:-0.0.0.0}"

wait_for_database() {
  local deadline=$((SECONDS + ${DB_WAIT_TIMEOUT_S:-60}))
  [[ -n ${DATABASE_URL:-} ]] || return 0 # stack.sh starts a local cluster
  until pg_isready -q -d "$DATABASE_URL"; do
    if ((SECONDS >= deadline)); then
      echo "[container-start] database not ready after ${DB_WAIT_TIMEOUT_S:-60}s" >&2
      exit 1
    fi
    sleep 1
  done
}

wait_for_database
exec scripts/stack.sh run
