#!/usr/bin/env bash
# A local SMTP server for the order mail under $STATE_DIR: Debian's aiosmtpd
# (python3-aiosmtpd) on a loopback TCP port, storing every accepted message,
# whole, as one file under $STATE_DIR/mail/new/ (scripts/mail_sink.py). It
# accepts anything and relays nothing: mail never leaves the machine.
#
#   smtp.sh start    start it (idempotent; brings it back when it died)
#   smtp.sh stop     stop it (harmless when stopped)
#   smtp.sh status   exit 0 running, 3 stopped
#   smtp.sh url      print the SMTP_URL for it
#   smtp.sh available  exit 0 when aiosmtpd can run here (python3-aiosmtpd installed)
#
# The port is chosen once (a free one, or SMTP_PORT) and kept in
# $STATE_DIR/smtp.port, so a restart comes back where the runners send.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's interpreter: the one python3-aiosmtpd is installed for (a python3
# earlier on PATH, e.g. pyenv's, does not have it).
SMTP_PYTHON="${SMTP_PYTHON:-/usr/bin/python3}"
# The address it listens on (scripts/cluster.sh gives it a host's own).
SMTP_HOST="${SMTP_HOST:-127.0.0.1}"
SMTP_PORT_FILE="$STATE_DIR/smtp.port"
SMTP_PID_FILE="$RUN_DIR/smtp.pid"
SMTP_LOG="$LOG_DIR/smtp.log"
MAIL_DIR="$STATE_DIR/mail"

# The port of this STATE_DIR: kept from an earlier start, else SMTP_PORT or a
# free one, written down.
smtp_port() {
  local port=""
  if [[ -r $SMTP_PORT_FILE ]]; then read -r port <"$SMTP_PORT_FILE" || true; fi
  if [[ ! $port =~ ^[0-9]+$ ]]; then
    port=${SMTP_PORT:-$(free_port)}
    [[ $port =~ ^[0-9]+$ ]] || die "SMTP_PORT must be a port number, got '$port'"
    mkdir -p -- "$STATE_DIR"
    printf '%s\n' "$port" >"$SMTP_PORT_FILE"
  fi
  printf '%s\n' "$port"
}

aiosmtpd_available() {
  "$SMTP_PYTHON" -c 'import aiosmtpd' 2>/dev/null
}

# The server's greeting arrives: it is up and taking connections.
answers_banner() {
  local line=""
  (
    exec 3<>"/dev/tcp/$SMTP_HOST/$1" || exit 1
    read -r -t 2 line <&3 || exit 1
    printf 'QUIT\r\n' >&3
    [[ $line == 220* ]]
  ) 2>/dev/null
}

cmd_start() {
  local port pid
  port=$(smtp_port)
  if is_running "$SMTP_PID_FILE" && answers_banner "$port"; then
    say "smtp already running (pid $(read_pid "$SMTP_PID_FILE"), $SMTP_HOST:$port)"
    return 0
  fi
  aiosmtpd_available ||
    die "$SMTP_PYTHON has no aiosmtpd (install python3-aiosmtpd: make deps)"
  # A server of ours that stopped answering is replaced, not joined.
  if pid=$(read_pid "$SMTP_PID_FILE") && pid_alive "$pid"; then
    stop_pid "$pid" TERM 5 || stop_pid "$pid" KILL 5 || true
  fi
  remove_stale_pidfile "$SMTP_PID_FILE"
  port_is_free "$port" ||
    die "port $port (kept in $SMTP_PORT_FILE) is taken by another process; free it, or remove that file to pick another"
  mkdir -p -- "$RUN_DIR" "$LOG_DIR" "$MAIL_DIR"
  printf '\n==== %s smtp.sh: starting on %s:%s ====\n' "$(date -Is)" "$SMTP_HOST" "$port" >>"$SMTP_LOG"
  # setsid: its own session, so Ctrl-C in the terminal does not reach it.
  PYTHONPATH="$REPO/scripts${PYTHONPATH:+:$PYTHONPATH}" setsid "$SMTP_PYTHON" -m aiosmtpd -n \
    -l "$SMTP_HOST:$port" -c mail_sink.Maildir "$MAIL_DIR" </dev/null >>"$SMTP_LOG" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$SMTP_PID_FILE"
  if ! wait_until 10 answers_banner "$port"; then
    show_log_tail "$SMTP_LOG"
    cmd_stop
    die "the SMTP server did not answer on $SMTP_HOST:$port"
  fi
  say "smtp started (pid $pid, smtp://$SMTP_HOST:$port, mail in $MAIL_DIR/new)"
}

cmd_stop() {
  local pid
  if ! pid=$(read_pid "$SMTP_PID_FILE") || ! pid_alive "$pid"; then
    rm -f -- "$SMTP_PID_FILE"
    return 0
  fi
  say "stopping smtp (pid $pid)"
  stop_pid "$pid" TERM 10 || stop_pid "$pid" KILL 5 || say "warning: smtp pid $pid survived SIGKILL"
  rm -f -- "$SMTP_PID_FILE"
}

cmd_status() {
  local port=""
  if [[ -r $SMTP_PORT_FILE ]]; then read -r port <"$SMTP_PORT_FILE" || true; fi
  if [[ -n $port ]] && is_running "$SMTP_PID_FILE" && answers_banner "$port"; then
    say "smtp: running (pid $(read_pid "$SMTP_PID_FILE"), smtp://$SMTP_HOST:$port, mail in $MAIL_DIR/new)"
    return 0
  fi
  say "smtp: stopped"
  return 3
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  available) aiosmtpd_available ;;
  url) printf 'smtp://%s:%s\n' "$SMTP_HOST" "$(smtp_port)" ;;
  *)
    sed -n '2,14s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
