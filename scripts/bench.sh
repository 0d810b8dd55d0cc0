#!/usr/bin/env bash
# make bench: the service's speed as ratios to limits measured in the same run
# on the same machine. Starts its own stack (STATE_DIR/bench-stack, a free
# port) with a large generated catalogue, measures the limits (nginx alone,
# the nginx -> FastCGI -> worker hop, pgbench running the service's own SQL),
# runs the scenarios with wrk, prints one table and writes it as JSON under
# $STATE_DIR/bench/. Leaves nothing running.
#
#   BENCH_DURATION=10        seconds per measurement
#   BENCH_SCENARIOS=all      or a comma list of row names (see `scenarios` below)
#   BENCH_CONNECTIONS="16 64"
#   BENCH_PRODUCTS=100000    generated products (about 4 variants each)
#   BENCH_WORKERS            pool size (default: the server's, 2 x cores)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
export BUILD_DIR
DURATION="${BENCH_DURATION:-10}"
SCENARIOS="${BENCH_SCENARIOS:-all}"
CONNECTIONS="${BENCH_CONNECTIONS:-16 64}"
PRODUCTS="${BENCH_PRODUCTS:-100000}"
RESULTS_DIR="$STATE_DIR/bench"
STACK_DIR="$STATE_DIR/bench-stack"
LUA_DIR="$REPO/scripts/bench"
THREADS=2

export BENCH_LUA_DIR="$LUA_DIR"

server_bin() {
  local candidate
  for candidate in "${SERVER_BIN:-}" "$BUILD_DIR/ecommerce-server" "$BUILD_DIR/workers/ecommerce-server"; do
    if [[ -n $candidate && -x $candidate ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  die "ecommerce-server not found under $BUILD_DIR (run: make build)"
}
SERVER="$(server_bin)"

wanted() {
  [[ $SCENARIOS == all || ",$SCENARIOS," == *",$1,"* ]]
}

# --- the stack --------------------------------------------------------------

stack() {
  STATE_DIR="$STACK_DIR" HTTP_PORT="$PORT" "$REPO/scripts/stack.sh" "$@"
}

stop_stack() {
  stack down >/dev/null 2>&1 || true
}

start_stack() {
  PORT="$(free_port)"
  mkdir -p -- "$STACK_DIR/nginx/conf.d"
  # The nginx limit: a fixed JSON answer nginx gives by itself.
  cat >"$STACK_DIR/nginx/conf.d/bench.conf" <<'NGINX'
location = /__bench/static {
  default_type "application/json; charset=utf-8";
  return 200 '{"success":true,"data":{"ok":true},"timestamp":"2026-01-01T00:00:00.000000+00:00"}';
}
NGINX
  unset DATABASE_URL
  trap stop_stack EXIT
  say "starting the bench stack on port $PORT (state $STACK_DIR)"
  stack up >"$RESULTS_DIR/stack-up.log" 2>&1 || {
    show_log_tail "$RESULTS_DIR/stack-up.log"
    die "the bench stack did not start"
  }
  DATABASE_URL="$(STATE_DIR="$STACK_DIR" "$REPO/scripts/pg.sh" url)"
  export DATABASE_URL
  BASE="http://127.0.0.1:$PORT"
}

sql_value() {
  psql "$DATABASE_URL" -Atqc "$1"
}

prepare_data() {
  say "generating $PRODUCTS products (idempotent; fast when they exist)"
  "$SERVER" seed-large --products "$PRODUCTS" >"$RESULTS_DIR/seed-large.log" 2>&1 ||
    { show_log_tail "$RESULTS_DIR/seed-large.log"; die "seed-large failed"; }
  MAX_PRODUCT_ID="$(sql_value "SELECT max(id) FROM products")"
  # The largest category, so that its filtered pages are full.
  CATEGORY_ID="$(sql_value "SELECT category_id FROM products WHERE category_id IS NOT NULL
                            GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")"
  export BENCH_MAX_PRODUCT_ID="$MAX_PRODUCT_ID" BENCH_CATEGORY_ID="$CATEGORY_ID"
}

# --- measuring --------------------------------------------------------------

# json_num LINE KEY: a number field of a flat JSON line.
json_num() {
  sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"
}

ROWS=()   # "name|conns|rps|p50|p99|non2xx|conflicts|limit_name"

# run_wrk NAME CONNS LUA [LIMIT_NAME]: one wrk measurement.
run_wrk() {
  local name=$1 conns=$2 lua=$3 limit=${4:-} out line
  out="$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s -s "$LUA_DIR/$lua" "$BASE" 2>&1)" ||
    die "wrk failed for $name: $out"
  line="$(grep '^{"requests"' <<<"$out" | tail -n 1)"
  [[ -n $line ]] || die "no result line from wrk for $name: $out"
  local non2xx=$(($(json_num "$line" errors) + $(json_num "$line" socket_errors)))
  ROWS+=("$name|$conns|$(json_num "$line" rps)|$(json_num "$line" p50_ms)|$(json_num "$line" p99_ms)|$non2xx|$(json_num "$line" conflicts)|$limit")
  say "$name c=$conns: $(json_num "$line" rps) req/s"
}

# pgbench_file NAME SQL-WITH-$N VAR=EXPR...: a pgbench script for one statement,
# its $N parameters turned into pgbench variables p1, p2, ...
pgbench_file() {
  local file="$RESULTS_DIR/$1.pgbench" sql=$2 i=1
  shift 2
  : >"$file"
  local set
  for set in "$@"; do
    printf '\\set p%d %s\n' "$i" "$set" >>"$file"
    i=$((i + 1))
  done
  # Highest number first, so that $1 does not eat the start of $10.
  for ((i = $# ; i >= 1; i--)); do sql="${sql//\$$i/:p$i}"; done
  printf '%s;\n' "$sql" >>"$file"
  printf '%s\n' "$file"
}

# run_pgbench NAME CONNS FILE: one pgbench measurement (prepared statements).
run_pgbench() {
  local name=$1 conns=$2 file=$3 out tps lat
  out="$(pgbench -n -M prepared -c "$conns" -j "$THREADS" -T "$DURATION" -f "$file" "$DATABASE_URL" 2>&1)" ||
    die "pgbench failed for $name: $out"
  tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | tail -n 1)"
  lat="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")"
  ROWS+=("$name|$conns|$tps|$lat (avg)|-|0|0|")
  say "$name c=$conns: $tps tps"
}

# --- scenarios --------------------------------------------------------------

measure() {
  local c detail_sql list_sql
  detail_sql="$("$SERVER" sql catalog.find_product)"
  list_sql="$("$SERVER" sql catalog.list_products)"
  # The list scenario's filters: after, category, no title, price band, no stock filter, 21 rows.
  # Absent filters are NULL literals, which is what the custom plans of the
  # service's prepared statement see as well.
  list_sql="${list_sql//\$3::text/NULL::text}"
  list_sql="${list_sql//p.title ILIKE \$3/p.title ILIKE NULL}"
  list_sql="${list_sql//\$6::boolean/NULL::boolean}"
  list_sql="${list_sql//= \$6/= NULL}"
  local detail_file list_file
  detail_file="$(pgbench_file pg_detail "$detail_sql" "random(1, $MAX_PRODUCT_ID)")"
  list_file="$(pgbench_file pg_list "$list_sql" "random(0, $MAX_PRODUCT_ID)" "$CATEGORY_ID" \
    "0" "1000" "50000" "0" "21")"

  say "warming up"
  BENCH_PATH=/api/v1/categories wrk -t1 -c4 -d3s -s "$LUA_DIR/get_path.lua" "$BASE" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c16 -d5s -s "$LUA_DIR/product_detail.lua" "$BASE" >/dev/null 2>&1 || true

  for c in $CONNECTIONS; do
    if wanted nginx; then BENCH_PATH=/__bench/static run_wrk nginx "$c" get_path.lua; fi
    # A route the worker answers without the database: the pool hop itself.
    if wanted hop; then BENCH_PATH=/api/v1/__no_such_route run_wrk hop "$c" get_path.lua; fi
    if wanted pg_detail; then run_pgbench pg_detail "$c" "$detail_file"; fi
    if wanted pg_list; then run_pgbench pg_list "$c" "$list_file"; fi
    if wanted detail; then run_wrk detail "$c" product_detail.lua pg_detail; fi
    if wanted detail_cache; then ROWS+=("detail_cache|$c|-|-|-|-|-|no cache exists yet"); fi
    if wanted list; then run_wrk list "$c" product_list.lua pg_list; fi
  done
}

# --- report -----------------------------------------------------------------

# The requests/s of row NAME at CONNS, or empty.
rps_of() {
  local row
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n c r _ <<<"$row"
    if [[ $n == "$1" && $c == "$2" ]]; then printf '%s\n' "$r"; return; fi
  done
}

ratio() {
  local a=$1 b=$2
  [[ -n $a && -n $b && $a != - && $b != - ]] || { printf -- '-'; return; }
  awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

report() {
  local commit machine stamp json_file table_file row
  commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  machine="$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  json_file="$RESULTS_DIR/bench-$stamp.json"
  table_file="$RESULTS_DIR/latest.md"

  {
    printf '| scenario | conns | req/s | p50 ms | p99 ms | errors | 409s | vs limit | vs hop |\n'
    printf '|---|---|---|---|---|---|---|---|---|\n'
    for row in "${ROWS[@]}"; do
      IFS='|' read -r name conns rps p50 p99 errs conflicts limit <<<"$row"
      local vs_limit='-' vs_hop='-'
      if [[ -n $limit && $limit == pg_* ]]; then
        vs_limit="$(ratio "$rps" "$(rps_of "$limit" "$conns")") x $limit"
        vs_hop="$(ratio "$rps" "$(rps_of hop "$conns")")"
      elif [[ $name == hop ]]; then
        vs_limit="$(ratio "$rps" "$(rps_of nginx "$conns")") x nginx"
      elif [[ -n $limit ]]; then
        vs_limit="$limit"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$name" "$conns" "$rps" "$p50" "$p99" "$errs" "$conflicts" "$vs_limit" "$vs_hop"
    done
    printf '\n%s products, %ss per measurement, wrk -t%s, commit %s, %s\n' \
      "$PRODUCTS" "$DURATION" "$THREADS" "$commit" "$machine"
  } >"$table_file"

  {
    printf '{"commit":"%s","machine":"%s","date":"%s","duration_s":%s,"products":%s,"rows":[' \
      "$commit" "$machine" "$stamp" "$DURATION" "$PRODUCTS"
    local first=1
    for row in "${ROWS[@]}"; do
      IFS='|' read -r name conns rps p50 p99 errs conflicts limit <<<"$row"
      ((first)) || printf ','
      first=0
      printf '{"scenario":"%s","connections":%s,"rps":"%s","p50_ms":"%s","p99_ms":"%s","errors":"%s","conflicts":"%s","limit":"%s"}' \
        "$name" "$conns" "$rps" "$p50" "$p99" "$errs" "$conflicts" "$limit"
    done
    printf ']}\n'
  } >"$json_file"

  cat "$table_file"
  say "written: $table_file and $json_file"
}

main() {
  command -v wrk >/dev/null || die "wrk is missing (make deps installs it)"
  command -v pgbench >/dev/null || PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
  mkdir -p -- "$RESULTS_DIR"
  start_stack
  prepare_data
  measure
  report
}

main "$@"
