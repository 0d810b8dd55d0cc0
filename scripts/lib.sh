# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it, do not run it.
#
# Sets REPO (repository root), STATE_DIR (absolute; default $REPO/var), RUN_DIR,
# LOG_DIR, and defines logging, port, wait and pid-file helpers. Pure bash plus
# coreutils and iproute2: a fresh Debian 12 has no python.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Absolute, so that paths handed to nginx, PostgreSQL and the server (which may
# run with another working directory or as another user) mean the same thing.
STATE_DIR="$(realpath -m -- "${STATE_DIR:-$REPO/var}")"
# shellcheck disable=SC2034 # used by the scripts that source this file
RUN_DIR="$STATE_DIR/run"
# shellcheck disable=SC2034
LOG_DIR="$STATE_DIR/log"
export STATE_DIR

# unix(7): sun_path holds 108 bytes including the terminating NUL.
readonly MAX_SOCKET_PATH=107

say() {
  printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2
}

die() {
  say "error: $*"
  exit 1
}

is_root() {
  [[ $EUID -eq 0 ]]
}

# Prints the last lines of a log file, framed, so a failure explains itself.
show_log_tail() {
  local file=$1 lines=${2:-40}
  [[ -f $file ]] || return 0
  say "---- last $lines lines of $file ----"
  tail -n "$lines" -- "$file" >&2 || true
  say "---- end of $file ----"
}

check_socket_path() {
  local path=$1
  if ((${#path} > MAX_SOCKET_PATH)); then
    die "socket path too long (${#path} > $MAX_SOCKET_PATH bytes): $path; use a shorter STATE_DIR"
  fi
}

# --- ports -----------------------------------------------------------------

# True when nothing listens on TCP port $1 (any address). ss is exact; the
# /dev/tcp probe is the fallback for machines without iproute2.
port_is_free() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Prints a TCP port that is free right now, below the ephemeral range. Random rather than
# sequential so that parallel runs rarely pick the same one.
free_port() {
  local low=32768 high attempt port
  # Below the kernel's ephemeral range, where outgoing connections take their
  # local ports: one could otherwise take ours between this check and the bind.
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r low high </proc/sys/net/ipv4/ip_local_port_range || true
  fi
  if ((low <= 11000)); then low=61000; fi
  for ((attempt = 0; attempt < 200; attempt++)); do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    if port_is_free "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free TCP port found in 10000-$((low - 1))"
}

# --- waiting -----------------------------------------------------------------

# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds;
# returns 1 when the deadline passes first.
wait_until() {
  local timeout=$1
  shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

http_ok() {
  curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null
}

# --- processes and pid files ------------------------------------------------------

# Prints the pid stored in file $1; fails when the file is missing or holds junk.
read_pid() {
  local file=$1 pid
  [[ -r $file ]] || return 1
  read -r pid <"$file" || [[ -n ${pid:-} ]] || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$pid"
}

# True when process $1 exists and is not a zombie (a zombie still answers kill -0,
# e.g. our own background child that died before we reaped it).
pid_alive() {
  local pid=$1 stat
  kill -0 "$pid" 2>/dev/null || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# is_running PIDFILE: the process named by the pid file is alive.
is_running() {
  local pid
  pid=$(read_pid "$1") || return 1
  pid_alive "$pid"
}

# True when any live process belongs to process group $1.
group_alive() {
  kill -0 -- "-$1" 2>/dev/null
}

pid_gone() {
  ! pid_alive "$1"
}

# stop_pid PID SIGNAL TIMEOUT: sends SIGNAL, waits up to TIMEOUT seconds, and
# returns 1 when the process is still there.
stop_pid() {
  local pid=$1 signal=$2 timeout=$3
  pid_alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  wait_until "$timeout" pid_gone "$pid"
}

# Removes pid file $1 when the process it names is gone.
remove_stale_pidfile() {
  local file=$1
  if [[ -e $file ]] && ! is_running "$file"; then
    rm -f -- "$file"
  fi
}
