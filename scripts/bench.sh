#!/usr/bin/env bash
# make bench: the service's speed as ratios to limits measured in the same run
# on the same machine. Starts its own stack (STATE_DIR/bench-stack, a free
# port) with a large generated catalogue, measures the limits (nginx alone,
# the nginx -> FastCGI -> worker hop, pgbench running the service's own SQL),
# runs the scenarios with wrk, prints one table and writes it as JSON under
# $STATE_DIR/bench/. Leaves nothing running.
#
#   BENCH_DURATION=10        seconds per measurement
#   BENCH_SCENARIOS=all      or a comma list of row names (see `measure` below):
#                            nginx hop pg_detail pg_list c_min detail_nocache
#                            detail detail_cache list list_gzip
#                            pg_checkout pg_checkout_hot cart cart_add checkout checkout_hot
#                            checkout_nooutbox (checkout with JOBS_OUTBOX=0: the outbox's cost)
#                            mail (order mail sent by 1 and by 2 job runners, messages/s)
#                            memory (worker RSS after 10k and after 100k requests)
#   BENCH_CONNECTIONS="16 64"
#   BENCH_ROUNDS=3           rounds of the rows compared with each other
#                            (c_min, detail_nocache, detail; checkout,
#                            checkout_nooutbox), interleaved; each row shows
#                            the median of its rounds
#   BENCH_MAILS=1000         confirmation jobs the mail row sends per runner count
#   BENCH_PRODUCTS=100000    generated products (about 4 variants each)
#   BENCH_WORKERS            pool size (default: the server's, 2 x cores)
#   BENCH_ADD_USERS=1000     users (and carts) cart_add spreads its adds over
#   BENCH_HOT_STOCK          units of the hot variant before each checkout_hot
#                            run (default: half of what pg_checkout_hot sold
#                            in a run as long, so that it sells out mid-run)
#
# The cart and checkout scenarios run as users registered and logged in over
# HTTP before the runs (tokens in $STATE_DIR/bench/tokens-*.txt), no two
# requests in flight for the same user; see scripts/bench/users.lua.
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
HOT_STOCK="${BENCH_HOT_STOCK:-}"
ADD_USERS="${BENCH_ADD_USERS:-1000}"
MAILS="${BENCH_MAILS:-1000}"
ROUNDS="${BENCH_ROUNDS:-3}"

export BENCH_LUA_DIR="$LUA_DIR" BENCH_THREADS="$THREADS"
if [[ -n ${BENCH_WORKERS:-} ]]; then export WORKERS="$BENCH_WORKERS"; fi

# The largest concurrency: every user pool has that many users.
MAX_CONNS=0
for c in $CONNECTIONS; do
  if [[ ! $c =~ ^[0-9]+$ ]] || ((c < THREADS)); then
    die "BENCH_CONNECTIONS: each must be a number >= $THREADS (wrk threads), got '$c'"
  fi
  if ((c > MAX_CONNS)); then MAX_CONNS=$c; fi
done
[[ -z $HOT_STOCK || $HOT_STOCK =~ ^[1-9][0-9]*$ ]] ||
  die "BENCH_HOT_STOCK must be a positive number, got '$HOT_STOCK'"
[[ $ADD_USERS =~ ^[0-9]+$ ]] || die "BENCH_ADD_USERS must be a number, got '$ADD_USERS'"
[[ $MAILS =~ ^[1-9][0-9]*$ ]] || die "BENCH_MAILS must be a positive number, got '$MAILS'"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive number, got '$ROUNDS'"
if ((ADD_USERS < MAX_CONNS)); then ADD_USERS=$MAX_CONNS; fi

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

# The bench stack's settings besides the defaults. No job runner but in the
# mail row: the checkout rows and their pgbench limits measure taking orders,
# and their confirmations would otherwise be sent meanwhile, through a Python
# SMTP server on the same 2 cores, into the next rows' figures. Sending mail is
# the mail row's measure; it deletes the unsent jobs of the rows before it.
STACK_CONFIG=(JOB_RUNNERS=0)

stack() {
  STATE_DIR="$STACK_DIR" HTTP_PORT="$PORT" "$REPO/scripts/stack.sh" "$@"
}

stop_stack() {
  stop_c_min
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
  # The c_min limit: the same server block (parameters, timeouts, one request
  # per connection) in front of scripts/bench/c_min.c instead of the pool.
  cat >>"$STACK_DIR/nginx/conf.d/bench.conf" <<NGINX
location ^~ /__bench/c_min/ {
  fastcgi_pass unix:$C_MIN_SOCKET;
}
NGINX
  unset DATABASE_URL
  # A CONFIG_FILE of the bench's own, so that a reload can switch JOBS_OUTBOX
  # for the checkout_nooutbox row and JOB_RUNNERS for the mail row
  # (set_bench_config). No job runner otherwise: see STACK_CONFIG.
  printf '%s\n' "${STACK_CONFIG[@]}" >"$STACK_DIR/bench.conf"
  export CONFIG_FILE="$STACK_DIR/bench.conf"
  trap stop_stack EXIT
  say "starting the bench stack on port $PORT (state $STACK_DIR)"
  # The bench users log in once before the runs (login cost is not measured):
  # cheap password hashes, and access tokens that outlive the whole run. They
  # all register from loopback, which the registration limit counts like any
  # other address: this stack raises it.
  BCRYPT_COST=4 ACCESS_TOKEN_TTL_S=3600 REGISTER_MAX_PER_ADDRESS=1000000 stack up >"$RESULTS_DIR/stack-up.log" 2>&1 || {
    show_log_tail "$RESULTS_DIR/stack-up.log"
    die "the bench stack did not start"
  }
  DATABASE_URL="$(STATE_DIR="$STACK_DIR" "$REPO/scripts/pg.sh" url)"
  export DATABASE_URL
  BASE="http://127.0.0.1:$PORT"
}

# --- the c_min limit -----------------------------------------------------------

# A minimal prefork libfcgi + libpq responder (scripts/bench/c_min.c) serving
# the product detail with the service's own SQL, as many processes as the pool
# has workers, behind its own location of the bench stack's nginx.
C_MIN_SOCKET="$STACK_DIR/run/c_min.sock"
C_MIN_BIN="$RESULTS_DIR/c_min"
C_MIN_PID=""

build_c_min() {
  command -v gcc >/dev/null || die "gcc is missing (make deps installs it)"
  # shellcheck disable=SC2046 # the flags are words
  gcc -O2 -Wall -Wextra $(pkg-config --cflags libpq fcgi) -o "$C_MIN_BIN" "$LUA_DIR/c_min.c" \
    $(pkg-config --libs libpq fcgi) >"$RESULTS_DIR/c_min-build.log" 2>&1 ||
    { show_log_tail "$RESULTS_DIR/c_min-build.log"; die "building c_min failed"; }
}

start_c_min() {
  local workers=$1 sql_file="$RESULTS_DIR/c_min.sql" i
  [[ $workers =~ ^[0-9]+$ ]] || die "c_min: the pool's worker count is unknown ('$workers')"
  "$SERVER" sql catalog.find_product >"$sql_file"
  "$C_MIN_BIN" "$C_MIN_SOCKET" "$workers" "$sql_file" 2>"$RESULTS_DIR/c_min.log" &
  C_MIN_PID=$!
  for ((i = 0; i < 50; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$BASE/__bench/c_min/api/v1/products/1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  show_log_tail "$RESULTS_DIR/c_min.log"
  die "c_min does not answer"
}

stop_c_min() {
  [[ -n $C_MIN_PID ]] || return 0
  kill -TERM "$C_MIN_PID" 2>/dev/null || true
  wait "$C_MIN_PID" 2>/dev/null || true
  C_MIN_PID=""
}

# Whether c_min answers what the service answers: the same product's data
# (the envelope's timestamp aside) of the same size from both. Not byte for
# byte: the attributes come in jsonb's key order (shortest key first) from
# c_min, sorted from the service.
check_c_min() {
  local id=$1 ours theirs
  ours="$(curl -fsS "$BASE/api/v1/products/$id" | sed 's/,"timestamp":"[^"]*"}$//')"
  theirs="$(curl -fsS "$BASE/__bench/c_min/api/v1/products/$id" | sed 's/,"timestamp":"[^"]*"}$//')"
  ((${#ours} == ${#theirs})) ||
    die "c_min answers product $id with ${#theirs} bytes, the service with ${#ours}: $theirs (service: $ours)"
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
  POOL_WORKERS="$(curl -fsS --max-time 5 "$BASE/status" 2>/dev/null |
    sed -n 's/.*"workers":\([0-9]*\).*/\1/p')" || true
  POOL_WORKERS="${POOL_WORKERS:-unknown}"

  # The variants the cart and checkout scenarios draw from: the longest run of
  # consecutive ids among the generated ones (so a random id always exists).
  # Its last id is the hot variant of checkout_hot, which the others leave alone.
  local range count
  range="$(sql_value "SELECT min(id), max(id), count(*) FROM (
                        SELECT v.id, v.id - row_number() OVER (ORDER BY v.id) AS run
                        FROM product_variants v
                        JOIN products p ON p.id = v.product_id
                        JOIN inventory i ON i.variant_id = v.id
                        WHERE p.sku LIKE 'GEN-%') s
                      GROUP BY run ORDER BY count(*) DESC, min(id) LIMIT 1")"
  IFS='|' read -r VARIANT_MIN HOT_VARIANT count <<<"$range"
  if [[ -z $count ]] || ((count < 11)); then
    die "too few generated variants for the cart scenarios: '$range'"
  fi
  VARIANT_MAX=$((HOT_VARIANT - 1))
  export BENCH_VARIANT_MIN="$VARIANT_MIN" BENCH_VARIANT_MAX="$VARIANT_MAX"
  # Checkouts reserve stock run after run; keep every variant of the range in
  # stock (the bench's own database; this bypasses the stock ledger), since a
  # pg_checkout transaction cannot skip a variant that has run out.
  sql_value "UPDATE inventory SET available = available + 500
             WHERE variant_id BETWEEN $VARIANT_MIN AND $VARIANT_MAX AND available < 10" >/dev/null
}

# --- users --------------------------------------------------------------------

# Pools of users, each MAX_CONNS strong: "cart" (cart, 10 lines each),
# "checkout", "hot" (checkout_hot) and "pg" (pg_checkout and pg_checkout_hot,
# which need user rows but no tokens); and "add" (cart_add), ADD_USERS strong,
# because every add leaves a line behind: spread over that many carts, they
# stay small during a run rather than growing to hundreds of lines (a run
# uses them all; a user still has at most one request in flight). The same
# users serve every run, so their e-mail addresses are fixed.
readonly BENCH_PASSWORD="bench-password-not-secret"

user_email() {
  printf 'bench-%s-%04d@bench.test' "$1" "$2"
}

pool_filter() {
  printf "email LIKE 'bench-%s-%%@bench.test'" "$1"
}

# auth_body POOL N: the register / login body of user N of POOL.
auth_body() {
  printf '{"email":"%s","password":"%s"}' "$(user_email "$1" "$2")" "$BENCH_PASSWORD"
}

# check_codes WHAT CODES EXPECTED-REGEX: every line of CODES (one HTTP status
# per request) matches.
check_codes() {
  if grep -qvE "^($3)\$" <<<"$2"; then
    die "$1: unexpected answers (count status): $(sort <<<"$2" | uniq -c | tr -s ' \n' ' ')"
  fi
}

# make_users POOL COUNT LOGIN: registers COUNT users of POOL over HTTP (409
# when they exist from an earlier run), writes their ids to users-POOL.txt
# and, when LOGIN is 1, their access tokens to tokens-POOL.txt (one a line).
make_users() {
  local pool=$1 count=$2 login=$3 i args=() out
  for ((i = 0; i < count; i++)); do
    ((i == 0)) || args+=(--next)
    args+=(-sS -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json'
      --data-raw "$(auth_body "$pool" "$i")" "$BASE/api/v1/auth/register")
  done
  out="$(curl "${args[@]}")" || die "registering the $pool users failed"
  check_codes "registering the $pool users" "$out" '201|409'
  sql_value "SELECT id FROM users WHERE $(pool_filter "$pool") ORDER BY email LIMIT $count" \
    >"$RESULTS_DIR/users-$pool.txt"
  (($(wc -l <"$RESULTS_DIR/users-$pool.txt") == count)) || die "the $pool users are not all there"
  ((login)) || return 0
  args=()
  for ((i = 0; i < count; i++)); do
    ((i == 0)) || args+=(--next)
    args+=(-sS -w '\n' -H 'Content-Type: application/json'
      --data-raw "$(auth_body "$pool" "$i")" "$BASE/api/v1/auth/login")
  done
  out="$(curl "${args[@]}")" || die "logging in the $pool users failed"
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$out" >"$RESULTS_DIR/tokens-$pool.txt"
  (($(wc -l <"$RESULTS_DIR/tokens-$pool.txt") == count)) ||
    die "logging in the $pool users: $(head -c 400 <<<"$out")"
}

tokens_of() {
  printf '%s\n' "$RESULTS_DIR/tokens-$1.txt"
}

# clear_carts POOL: empties the carts of the pool's users.
clear_carts() {
  sql_value "DELETE FROM cart_items WHERE cart_id IN (
               SELECT c.id FROM carts c JOIN users u ON u.id = c.user_id
               WHERE u.$(pool_filter "$1"))" >/dev/null
}

# fill_carts: the cart pool's carts hold exactly 10 lines (10 distinct
# variants, 1 unit each), added over HTTP.
fill_carts() {
  local tokens i k n=0 args=() out
  mapfile -t tokens <"$(tokens_of cart)"
  clear_carts cart
  for ((i = 0; i < ${#tokens[@]}; i++)); do
    for ((k = 0; k < 10; k++)); do
      ((n++ == 0)) || args+=(--next)
      args+=(-sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer ${tokens[i]}"
        -H 'Content-Type: application/json'
        --data-raw "{\"variant_id\":$((VARIANT_MIN + (i * 10 + k) % (VARIANT_MAX - VARIANT_MIN + 1))),\"quantity\":1}"
        "$BASE/api/v1/carts/me/items")
    done
  done
  out="$(curl "${args[@]}")" || die "filling the carts failed"
  check_codes "filling the carts" "$out" 201
  [[ "$(sql_value "SELECT count(*), min(n), max(n) FROM (
                     SELECT count(*) AS n FROM cart_items ci JOIN carts c ON c.id = ci.cart_id
                     JOIN users u ON u.id = c.user_id WHERE u.$(pool_filter cart)
                     GROUP BY c.id) s")" == "${#tokens[@]}|10|10" ]] || die "the carts do not hold 10 lines each"
}

prepare_users() {
  say "registering and logging in the bench users ($MAX_CONNS per scenario)"
  if wanted cart; then make_users cart "$MAX_CONNS" 1; fill_carts; fi
  if wanted cart_add; then make_users add "$ADD_USERS" 1; fi
  if wanted checkout || wanted checkout_nooutbox; then make_users checkout "$MAX_CONNS" 1; fi
  if wanted checkout_hot; then make_users hot "$MAX_CONNS" 1; fi
  if wanted pg_checkout || wanted pg_checkout_hot; then
    make_users pg "$MAX_CONNS" 0
  fi
}

# --- measuring --------------------------------------------------------------

# json_num LINE KEY: a number field of a flat JSON line.
json_num() {
  sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"
}

ROWS=()   # "name|conns|rps|p50|p99|non2xx|conflicts|limit_name|all_rps"
NOTES=()  # lines printed under the table
WRK_LINE=""  # the result line of the last run_wrk

# run_wrk NAME CONNS LUA [LIMIT_NAME [RATE_FIELD]]: one wrk measurement. Its
# req/s is RATE_FIELD of the result line (default rps, every request).
run_wrk() {
  local name=$1 conns=$2 lua=$3 limit=${4:-} field=${5:-rps} out line
  out="$(wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s -s "$LUA_DIR/$lua" "$BASE" 2>&1)" ||
    die "wrk failed for $name: $out"
  line="$(grep '^{"requests"' <<<"$out" | tail -n 1)"
  [[ -n $line ]] || die "no result line from wrk for $name: $out"
  WRK_LINE=$line
  printf '%s c=%s %s\n' "$name" "$conns" "$line" >>"$RESULTS_DIR/wrk.log"
  local non2xx=$(($(json_num "$line" errors) + $(json_num "$line" socket_errors)))
  ROWS+=("$name|$conns|$(json_num "$line" "$field")|$(json_num "$line" p50_ms)|$(json_num "$line" p99_ms)|$non2xx|$(json_num "$line" conflicts)|$limit|$(json_num "$line" rps)")
  say "$name c=$conns: $field $(json_num "$line" "$field") ($(json_num "$line" rps) req/s in all)"
}

# median NUMBER...: the middle one (the mean of the two middle ones for an
# even count).
median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# collapse_rounds NAME CONNS: the rounds of NAME at CONNS (one ROWS entry each)
# become one entry in the place of the first: the median req/s, p50, p99 and
# all-requests req/s (each figure's own median), errors and 409s summed. A note
# lists the rounds. Rows compared with each other are measured in interleaved
# rounds because single runs on this kind of machine vary by 20-40% from one
# to the next (the same row, back to back), more than the targets' margins.
collapse_rounds() {
  local name=$1 conns=$2 i first="" n c r a b e f l al errors=0 conflicts=0 limit="" rounds=""
  local -a rps=() p50=() p99=() all=() kept=()
  for i in "${!ROWS[@]}"; do
    IFS='|' read -r n c r a b e f l al <<<"${ROWS[$i]}"
    if [[ $n == "$name" && $c == "$conns" ]]; then
      [[ -n $first ]] || first=$i
      rps+=("$r") p50+=("$a") p99+=("$b") all+=("$al")
      errors=$((errors + e)) conflicts=$((conflicts + f)) limit=$l
      rounds+="${rounds:+, }$r req/s (p99 $b ms)"
    fi
  done
  ((${#rps[@]} > 1)) || return 0
  for i in "${!ROWS[@]}"; do
    IFS='|' read -r n c _ <<<"${ROWS[$i]}"
    if [[ $i == "$first" ]]; then
      kept+=("$name|$conns|$(median "${rps[@]}")|$(median "${p50[@]}")|$(median "${p99[@]}")|$errors|$conflicts|$limit|$(median "${all[@]}")")
    elif [[ $n != "$name" || $c != "$conns" ]]; then
      kept+=("${ROWS[$i]}")
    fi
  done
  ROWS=("${kept[@]}")
  NOTES+=("$name c=$conns, ${#rps[@]} rounds: $rounds.")
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

# run_pgbench NAME CONNS FILE [PGBENCH-ARG...]: one pgbench measurement
# (prepared statements).
run_pgbench() {
  local name=$1 conns=$2 file=$3 out tps lat
  shift 3
  out="$(pgbench -n -M prepared -c "$conns" -j "$THREADS" -T "$DURATION" "$@" -f "$file" "$DATABASE_URL" 2>&1)" ||
    die "pgbench failed for $name: $out"
  tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | tail -n 1)"
  lat="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")"
  ROWS+=("$name|$conns|$tps|$lat (avg)|-|0|0||$tps")
  say "$name c=$conns: $tps tps"
}

# pg_statement NAME END ARG...: the service's statement NAME as a pgbench
# command ended by END (";" or " \gset PREFIX"), its $N replaced by ARG N (a
# pgbench variable such as :uid, or NULL for a parameter the service sends as
# NULL). pgbench has no string expressions to build an array literal from, so
# a one-element array parameter $N::T[] becomes ARRAY[ARG]::T[].
pg_statement() {
  local name=$1 end=$2 sql i
  shift 2
  sql="$("$SERVER" sql "$name")" || die "ecommerce-server sql $name failed"
  for ((i = $#; i >= 1; i--)); do
    sql="$(sed -E "s/\\\$$i(::[a-z ]+\\[\\])/ARRAY[${!i}]\\1/g" <<<"$sql")"
    sql="${sql//\$$i/${!i}}"
  done
  [[ ! $sql =~ \$[0-9] ]] || die "statement $name takes more parameters than the bench binds: $sql"
  printf '%s%s\n' "$sql" "$end"
}

# checkout_pgbench_file NAME VARIANT-EXPR: the limit of the checkout scenarios.
# One pgbench transaction is what one user does in checkout / checkout_hot:
# the service's add-to-cart transaction (services::add_item: 1 unit of
# VARIANT-EXPR), then its checkout transaction (services::checkout with no
# Idempotency-Key and no addresses), each between BEGIN and COMMIT, the same
# statements in the same order with the same parameters. pgbench client n is
# user n of the pg pool, looked up in its first transaction only (uid starts
# at 0, PG_CHECKOUT_VARS); its cart holds the one line just added.
checkout_pgbench_file() {
  local file="$RESULTS_DIR/$1.pgbench"
  {
    printf '\\if :uid = 0\n'
    printf "SELECT id AS uid FROM users WHERE %s ORDER BY email OFFSET :client_id LIMIT 1 \\gset\n" \
      "$(pool_filter pg)"
    printf '\\endif\n'
    printf '\\set variant %s\n' "$2"
    # cart_service: quantity 1, kMaxLineQuantity 99.
    printf '\\set quantity 1\n\\set max_line 99\n'
    printf 'BEGIN;\n'
    pg_statement cart.lock ' \gset cart_' :uid
    pg_statement cart.add_to_line ';' :cart_id :variant :quantity :max_line
    pg_statement cart.lines ';' :cart_id
    printf 'COMMIT;\n'
    printf 'BEGIN;\n'
    pg_statement cart.lock_existing ' \gset cart_' :uid
    pg_statement cart.lines ' \gset line_' :cart_id
    pg_statement order_stock.lock ';' :line_variant_id
    printf '\\set total :line_price_cents * :line_quantity\n'
    pg_statement order.insert ' \gset order_' :uid :total :currency NULL NULL
    pg_statement order.insert_items ';' :order_id :line_variant_id :line_price_cents :line_quantity
    # order_state reservation(): available -q, reserved +q, shipped 0.
    printf '\\set available_delta 0 - :line_quantity\n\\set reserved_delta :line_quantity\n'
    printf '\\set shipped_delta 0\n'
    pg_statement order_stock.apply ';' :line_variant_id :available_delta :reserved_delta \
      :shipped_delta :ledger_kind :reason :uid :order_id
    pg_statement order.insert_event ';' :order_id NULL :to_status :uid NULL
    # order_outbox: the confirmation and the expiry job (JOBS_OUTBOX=1, the
    # default; the service sends the payload and the dedupe key as text).
    pg_statement jobs.enqueue ';' :mail_queue :confirmation_kind \
      "json_build_object('order_id', :order_id::bigint)::text" :max_attempts 0 \
      "'order.confirmation:' || :order_id"
    pg_statement jobs.enqueue ';' :orders_queue :expire_kind \
      "json_build_object('order_id', :order_id::bigint)::text" :max_attempts :payment_ttl \
      "'order.expire:' || :order_id"
    pg_statement cart.clear ';' :cart_id
    # written_order_json: the order as the answer shows it.
    pg_statement order.find ';' :order_id NULL
    pg_statement order.items ';' :order_id
    pg_statement order.events ';' :order_id
    printf 'COMMIT;\n'
    # After the commit: the email runners' wake-up (services::wake_mail_runners).
    pg_statement jobs.wake ';' :mail_queue
  } >"$file"
  printf '%s\n' "$file"
}

# The checkout's text parameters, as the service passes them (parameters, not
# literals), and the pgbench client's user, unknown until its first transaction.
PG_CHECKOUT_VARS=(-D currency=USD -D ledger_kind=reserve -D reason=checkout -D to_status=created
  -D uid=0 -D mail_queue=email -D confirmation_kind=order.confirmation -D orders_queue=orders
  -D expire_kind=order.expire -D max_attempts=8 -D payment_ttl=1800)

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
  if wanted pg_checkout; then
    CHECKOUT_FILE="$(checkout_pgbench_file pg_checkout "random($VARIANT_MIN, $VARIANT_MAX)")"
  fi
  if wanted pg_checkout_hot; then
    CHECKOUT_HOT_FILE="$(checkout_pgbench_file pg_checkout_hot "$HOT_VARIANT")"
  fi

  if wanted c_min; then
    build_c_min
    start_c_min "$POOL_WORKERS"
    check_c_min 1
    check_c_min "$MAX_PRODUCT_ID"
  fi

  PG_LOG_START="$(stat -c %s -- "$PG_LOG" 2>/dev/null || echo 0)"
  say "warming up"
  BENCH_PATH=/api/v1/categories wrk -t1 -c4 -d3s -s "$LUA_DIR/get_path.lua" "$BASE" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c16 -d5s -s "$LUA_DIR/product_detail.lua" "$BASE" >/dev/null 2>&1 || true

  for c in $CONNECTIONS; do
    if wanted nginx; then BENCH_PATH=/__bench/static run_wrk nginx "$c" get_path.lua; fi
    # A route the worker answers without the database: the pool hop itself.
    if wanted hop; then BENCH_PATH=/api/v1/__no_such_route run_wrk hop "$c" get_path.lua; fi
    if wanted pg_detail; then run_pgbench pg_detail "$c" "$detail_file"; fi
    if wanted pg_list; then run_pgbench pg_list "$c" "$list_file"; fi
    # The product read against its limit, in interleaved rounds.
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
      if wanted c_min; then
        BENCH_PREFIX=/__bench/c_min run_wrk c_min "$c" product_detail.lua pg_detail
      fi
      if wanted detail_nocache; then
        # The cache-less product read: the stack's Redis stopped for the run, so
        # every worker answers from PostgreSQL after one failed connect.
        STATE_DIR="$STACK_DIR" "$REPO/scripts/redis.sh" stop >/dev/null 2>&1
        run_wrk detail_nocache "$c" product_detail.lua pg_detail
        STATE_DIR="$STACK_DIR" "$REPO/scripts/redis.sh" start >/dev/null 2>&1
        sleep 11 # the workers' longest back-off, so the next rows use the cache again
      fi
      if wanted detail; then
        # Cache on, every read a miss: each id once, after a flush.
        flush_cache
        BENCH_SEQ_START=$((RANDOM % MAX_PRODUCT_ID + 1)) run_wrk detail "$c" product_detail_seq.lua pg_detail
        detail_misses_note "$c"
      fi
    done
    collapse_rounds c_min "$c"
    collapse_rounds detail_nocache "$c"
    collapse_rounds detail "$c"
    if wanted detail_cache; then
      warm_hot_products
      run_wrk detail_cache "$c" product_detail_hot.lua hop
    fi
    if wanted list; then run_wrk list "$c" product_list.lua pg_list; fi
    # The same pages, gzip-compressed by nginx (Accept-Encoding: gzip).
    if wanted list_gzip; then run_wrk list_gzip "$c" product_list_gzip.lua pg_list; fi
    measure_carts "$c"
  done
  checkout_notes
  measure_mail
}

# detail_misses_note CONNS: after a detail run, whether every read was a miss.
# Each id is read once only within the first MAX_PRODUCT_ID requests; a run
# that made more read the cache's own fills after that (hits).
detail_misses_note() {
  local requests
  requests="$(json_num "$WRK_LINE" requests)"
  if [[ -n $requests ]] && ((requests > MAX_PRODUCT_ID)); then
    NOTES+=("detail c=$1: $requests reads of $MAX_PRODUCT_ID products, so only the first $MAX_PRODUCT_ID were misses (use more BENCH_PRODUCTS for an all-miss row).")
  fi
}

# --- cart and checkout scenarios ----------------------------------------------

# set_bench_config [KEY=VALUE...]: the bench stack's CONFIG_FILE holds
# STACK_CONFIG and these settings (a later one wins), applied by a reload;
# returns once every worker of the new generation is serving.
set_bench_config() {
  local ctl before status gen
  ctl="$(dirname -- "$SERVER")/ecommerce-ctl"
  [[ -x $ctl ]] || die "ecommerce-ctl not found beside $SERVER"
  before="$(json_num "$(curl -s "$BASE/status")" generation)"
  printf '%s\n' "${STACK_CONFIG[@]}" "$@" >"$STACK_DIR/bench.conf"
  "$ctl" -s "$STACK_DIR/run/ctl.sock" reload >/dev/null || die "reload for '$*' refused"
  for _ in $(seq 1 300); do
    status="$(curl -s "$BASE/status")"
    gen="$(json_num "$status" generation)"
    if [[ -n $gen && $gen != "$before" && $(json_num "$status" starting) == 0 &&
      $(json_num "$status" draining) == 0 ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "the reload for '$*' did not settle"
}

# set_stock VARIANT UNITS: what the variant can still sell (the bench's own
# database; this bypasses the stock ledger and leaves `reserved` alone).
set_stock() {
  sql_value "UPDATE inventory SET available = $2 WHERE variant_id = $1" >/dev/null
}

# hot_stock CONNS: the hot variant's units before a checkout_hot run: half of
# what pg_checkout_hot sold in a run as long, so that at the 0.8 target the
# stock runs out a little after the middle of the run (BENCH_HOT_STOCK wins).
hot_stock() {
  local tps
  if [[ -n $HOT_STOCK ]]; then printf '%s\n' "$HOT_STOCK"; return; fi
  tps="$(rps_of pg_checkout_hot "$1")"
  if [[ -n $tps && $tps != - ]]; then
    awk -v t="$tps" -v d="$DURATION" 'BEGIN { s = int(t * d / 2); print (s < 50 ? 50 : s) }'
  else
    printf '%s\n' $((100 * DURATION))
  fi
}

# The PostgreSQL log of the bench stack, where a deadlock leaves "deadlock detected".
PG_LOG="$STACK_DIR/log/postgres.log"
PG_LOG_START=""

deadlocks_since_start() {
  [[ -n $PG_LOG_START && -r $PG_LOG ]] || { printf 'unknown'; return; }
  tail -c +"$((PG_LOG_START + 1))" -- "$PG_LOG" | grep -c 'deadlock detected' || true
}

# outbox_cost WITH WITHOUT: 1 - WITH / WITHOUT in percent.
outbox_cost() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", (1 - a / b) * 100; else printf "-" }'
}

# measure_carts CONNS: scenarios 4-7 and the checkout limits at CONNS.
measure_carts() {
  local c=$1 lines stock left
  if wanted pg_checkout; then
    clear_carts pg
    run_pgbench pg_checkout "$c" "$CHECKOUT_FILE" "${PG_CHECKOUT_VARS[@]}"
  fi
  if wanted pg_checkout_hot; then
    clear_carts pg
    set_stock "$HOT_VARIANT" 100000000 # never runs out: the limit of selling
    run_pgbench pg_checkout_hot "$c" "$CHECKOUT_HOT_FILE" "${PG_CHECKOUT_VARS[@]}"
  fi
  if wanted cart; then
    BENCH_TOKENS="$(tokens_of cart)" BENCH_USERS=$c run_wrk cart "$c" cart_get.lua
  fi
  if wanted cart_add; then
    clear_carts add
    BENCH_TOKENS="$(tokens_of add)" BENCH_USERS=$ADD_USERS run_wrk cart_add "$c" cart_add.lua
    lines="$(sql_value "SELECT round(avg(n)) FROM (
                          SELECT count(*) AS n FROM cart_items ci JOIN carts c ON c.id = ci.cart_id
                          JOIN users u ON u.id = c.user_id WHERE u.$(pool_filter add)
                          GROUP BY c.id) s")"
    NOTES+=("cart_add c=$c: the carts held ${lines:-0} lines on average at the end of the run (every answer is the whole cart).")
  fi
  # checkout, and the same checkouts without their jobs (JOBS_OUTBOX=0, a
  # benchmark switch): what the transactional outbox costs, in interleaved
  # rounds of the same run.
  local round with without pairs=""
  for ((round = 1; round <= ROUNDS; round++)); do
    if wanted checkout; then
      clear_carts checkout
      BENCH_TOKENS="$(tokens_of checkout)" BENCH_USERS=$c \
        run_wrk checkout "$c" checkout.lua pg_checkout checkout_rps
      with="$(json_num "$WRK_LINE" checkout_rps)"
    fi
    if wanted checkout_nooutbox; then
      set_bench_config JOBS_OUTBOX=0
      clear_carts checkout
      BENCH_TOKENS="$(tokens_of checkout)" BENCH_USERS=$c \
        run_wrk checkout_nooutbox "$c" checkout.lua pg_checkout checkout_rps
      set_bench_config
      without="$(json_num "$WRK_LINE" checkout_rps)"
      if wanted checkout; then pairs+="${pairs:+, }$(outbox_cost "$with" "$without")%"; fi
    fi
  done
  collapse_rounds checkout "$c"
  collapse_rounds checkout_nooutbox "$c"
  if wanted checkout && wanted checkout_nooutbox; then
    with="$(rps_of checkout "$c")"
    without="$(rps_of checkout_nooutbox "$c")"
    NOTES+=("outbox c=$c: checkout $with checkouts/s with its jobs, $without without (JOBS_OUTBOX=0), medians of $ROUNDS rounds: the outbox costs $(outbox_cost "$with" "$without")% (target: at most 10%); round by round: $pairs.")
  fi
  if wanted checkout_hot; then
    clear_carts hot
    stock="$(hot_stock "$c")"
    set_stock "$HOT_VARIANT" "$stock"
    BENCH_TOKENS="$(tokens_of hot)" BENCH_USERS=$c BENCH_VARIANT_MIN=$HOT_VARIANT \
      BENCH_VARIANT_MAX=$HOT_VARIANT run_wrk checkout_hot "$c" checkout.lua pg_checkout_hot checkout_rps
    left="$(sql_value "SELECT available FROM inventory WHERE variant_id = $HOT_VARIANT")"
    NOTES+=("checkout_hot c=$c: variant $HOT_VARIANT set to $stock units, $((stock - left)) sold ($(json_num "$WRK_LINE" checkouts) checkouts answered within the run), $(
      if ((left == 0)); then
        printf 'sold out after %ss of %ss: req/s is checkouts per second until then' \
          "$(json_num "$WRK_LINE" checkout_window_s)" "$DURATION"
      else
        printf 'did NOT sell out (%s left): set BENCH_HOT_STOCK lower' "$left"
      fi).")
  fi
}

# --- order mail ---------------------------------------------------------------

# email_jobs_left: confirmation and shipping jobs not yet done or dead.
email_jobs_left() {
  sql_value "SELECT count(*) FROM jobs WHERE queue = 'email' AND state IN ('queued', 'running')"
}

# runners_busy: jobs running, or queued and due, in any queue.
runners_busy() {
  sql_value "SELECT count(*) FROM jobs
             WHERE state = 'running' OR (state = 'queued' AND run_at <= now())"
}

# wait_runners_idle: until runners_busy is 0 twice, half a second apart. A
# runner that starts enqueues the periodic jobs at once (stock.reconcile reads
# every variant: 16 s on 400,000 of them), and that must not count as mail.
wait_runners_idle() {
  local deadline=$((SECONDS + 600)) idle=0
  sleep 1
  while ((idle < 2)); do
    ((SECONDS < deadline)) || die "the job runners were still busy after 10 minutes"
    if (($(runners_busy) == 0)); then idle=$((idle + 1)); else idle=0; fi
    sleep 0.5
  done
}

# mail_order: an order the confirmation jobs can name (the newest; one bought
# over HTTP by a user of its own when the run placed none).
mail_order() {
  local order token
  order="$(sql_value "SELECT max(id) FROM orders")"
  if [[ -z $order ]]; then
    make_users mail 1 1
    token="$(head -n 1 "$(tokens_of mail)")"
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-raw "{\"variant_id\": $VARIANT_MIN, \"quantity\": 1}" "$BASE/api/v1/carts/me/items" ||
      die "the mail row's add-to-cart failed"
    curl -fsS -o /dev/null -H "Authorization: Bearer $token" -X POST \
      "$BASE/api/v1/orders/checkout" || die "the mail row's checkout failed"
    order="$(sql_value "SELECT max(id) FROM orders")"
  fi
  printf '%s\n' "$order"
}

# measure_mail: messages/s the job runners hand to the stack's local SMTP
# server (scripts/smtp.sh), with 1 and with 2 runners. Once the runners are
# idle, $MAILS confirmation jobs of one order are enqueued not yet due, then
# made due at once (and the runners woken, as an enqueue does); the clock runs
# until none is queued or running, and the server must then hold exactly
# $MAILS more messages.
measure_mail() {
  wanted mail || return 0
  local order runners before after start end rate dead0 dead deadline
  local mail_dir="$STACK_DIR/mail/new"
  STATE_DIR="$STACK_DIR" "$REPO/scripts/smtp.sh" status >/dev/null 2>&1 ||
    die "the mail row needs the stack's local SMTP server (python3-aiosmtpd)"
  order="$(mail_order)"
  # The checkouts' mail, never sent (STACK_CONFIG): not this row's.
  sql_value "DELETE FROM jobs WHERE queue = 'email' AND state = 'queued'" >/dev/null
  for runners in 1 2; do
    set_bench_config "JOB_RUNNERS=$runners"
    wait_runners_idle
    sql_value "INSERT INTO jobs (queue, kind, payload, max_attempts, run_at)
               SELECT 'email', 'order.confirmation', jsonb_build_object('order_id', $order), 8,
                      now() + interval '1 day'
               FROM generate_series(1, $MAILS)" >/dev/null
    dead0="$(sql_value "SELECT count(*) FROM jobs WHERE queue = 'email' AND state = 'dead'")"
    before="$(find "$mail_dir" -type f 2>/dev/null | wc -l)"
    start="$(date +%s.%N)"
    sql_value "UPDATE jobs SET run_at = now() WHERE queue = 'email' AND state = 'queued';
               SELECT pg_notify('jobs', 'email')" >/dev/null
    deadline=$((SECONDS + 600))
    while (($(email_jobs_left) > 0)); do
      ((SECONDS < deadline)) || die "the mail row did not finish within 10 minutes"
      sleep 0.05
    done
    end="$(date +%s.%N)"
    after="$(find "$mail_dir" -type f 2>/dev/null | wc -l)"
    dead="$(sql_value "SELECT count(*) FROM jobs WHERE queue = 'email' AND state = 'dead'")"
    rate="$(awk -v n="$MAILS" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", n / (b - a) }')"
    ROWS+=("mail|$runners|$rate|-|-|$((dead - dead0))|0||$rate")
    NOTES+=("mail with $runners runner(s): $MAILS confirmations in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s; the SMTP server stored $((after - before)) messages (expected $MAILS), $((dead - dead0)) jobs dead.")
  done
  set_bench_config
}

# No oversell: the hot variant's available >= 0 and its reserved equal to the
# units of its open (created or paid) orders; the same for every variant the
# checkouts draw from. And no deadlock in the PostgreSQL log.
OVERSOLD=0
checkout_notes() {
  wanted checkout || wanted checkout_hot || wanted checkout_nooutbox || wanted pg_checkout ||
    wanted pg_checkout_hot || return 0
  local hot bad available reserved open
  hot="$(sql_value "SELECT i.available, i.reserved, coalesce((
                      SELECT sum(oi.quantity) FROM order_items oi JOIN orders o ON o.id = oi.order_id
                      WHERE oi.variant_id = i.variant_id AND o.status IN ('created', 'paid')), 0)
                    FROM inventory i WHERE i.variant_id = $HOT_VARIANT")"
  IFS='|' read -r available reserved open <<<"$hot"
  bad="$(sql_value "SELECT count(*) FROM inventory i
                    LEFT JOIN (SELECT oi.variant_id, sum(oi.quantity) AS units
                               FROM order_items oi JOIN orders o ON o.id = oi.order_id
                               WHERE o.status IN ('created', 'paid') GROUP BY 1) u
                      ON u.variant_id = i.variant_id
                    WHERE i.variant_id BETWEEN $VARIANT_MIN AND $HOT_VARIANT
                      AND (i.available < 0 OR i.reserved <> coalesce(u.units, 0))")"
  if ((available >= 0 && reserved == open && bad == 0)); then
    NOTES+=("No oversell: OK. Hot variant $HOT_VARIANT: available $available >= 0, reserved $reserved = units of its open orders $open; variants $VARIANT_MIN-$HOT_VARIANT whose reserved differs from their open orders: 0.")
  else
    OVERSOLD=1
    NOTES+=("No oversell: FAILED. Hot variant $HOT_VARIANT: available $available, reserved $reserved, units of its open orders $open; variants $VARIANT_MIN-$HOT_VARIANT whose reserved differs from their open orders (or available < 0): $bad.")
  fi
  NOTES+=("Deadlocks (\"deadlock detected\" in the PostgreSQL log during the runs): $(deadlocks_since_start).")
}

# --- report -----------------------------------------------------------------

# The requests/s of row NAME at CONNS, or empty.
# The bench stack's cache: emptied (the scenario that wants misses), and the
# products of the detail_cache scenario read once each (so that it sees hits).
HOT_PRODUCTS=2000
export BENCH_HOT_PRODUCTS=$HOT_PRODUCTS
flush_cache() {
  redis-cli -s "$STACK_DIR/run/redis.sock" FLUSHALL >/dev/null
}
warm_hot_products() {
  local id
  for ((id = 1; id <= HOT_PRODUCTS; id++)); do printf 'url = "%s/api/v1/products/%d"\noutput = /dev/null\n' "$BASE" "$id"; done |
    curl -s --parallel --parallel-max 8 -K - >/dev/null || true
}

rps_of() {
  local row
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n c r _ <<<"$row"
    if [[ $n == "$1" && $c == "$2" ]]; then printf '%s\n' "$r"; return; fi
  done
}

# The p99 ms of row NAME at CONNS, or empty.
p99_of() {
  local row
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n c _ _ p _ <<<"$row"
    if [[ $n == "$1" && $c == "$2" ]]; then printf '%s\n' "$p"; return; fi
  done
}

ratio() {
  local a=$1 b=$2
  [[ -n $a && -n $b && $a != - && $b != - ]] || { printf -- '-'; return; }
  awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# The footer's explanations of the cart and checkout rows, then what the runs
# noted (NOTES).
footer_notes() {
  if wanted c_min; then
    printf '%s\n' "c_min: random products from scripts/bench/c_min.c, a minimal prefork libfcgi + libpq responder ($POOL_WORKERS processes, as many as the pool's workers, one connection each, the service's catalog.find_product prepared once, data of the same size; no log, metrics or cache) behind its own location of the same nginx server block. vs c_min: req/s and p99 of each detail row against c_min's in the same run (targets: detail >= 0.9 x, p99 <= 1.1 x)."
  fi
  if wanted detail || wanted detail_nocache || wanted detail_cache; then
    printf '%s\n' "detail_nocache: random products with the stack's Redis stopped (the cache-less read). detail: the catalogue cache on but every read a miss (each product once, after a flush; target >= 0.95 x detail_nocache). detail_cache: $HOT_PRODUCTS products read once before the run, then at random: every read a hit (target >= 0.8 x hop). list runs with the cache on (random cursors: mostly misses)."
  fi
  if wanted cart; then
    printf '%s\n' "cart: GET /api/v1/carts/me; the cart of each user holds 10 lines (10 variants, 1 unit each)."
  fi
  if wanted cart_add; then
    printf '%s\n' "cart_add: POST /api/v1/carts/me/items {variant_id: random in $VARIANT_MIN-$VARIANT_MAX, quantity: 1}, round robin over $ADD_USERS users (not cart's) whose carts are emptied before each run."
  fi
  if wanted checkout; then
    printf '%s\n' "checkout: req/s is checkouts/s (201 answers with order_id). Each checkout is preceded by an add-to-cart of 1 unit of a random variant of $VARIANT_MIN-$VARIANT_MAX (each user alternates the two requests); p50, p99 and the all_rps of the JSON cover both. No Idempotency-Key is sent."
  fi
  if wanted checkout_nooutbox; then
    printf '%s\n' "checkout_nooutbox: checkout's run again with JOBS_OUTBOX=0 (set by a reload through the stack's CONFIG_FILE, then set back): no confirmation or expiry job is written, so the difference is the transactional outbox's cost (target: checkout >= 0.9 x checkout_nooutbox)."
  fi
  if wanted checkout_hot; then
    printf '%s\n' "checkout_hot: like checkout (req/s is checkouts/s, each preceded by an add; no Idempotency-Key), but every buyer adds the hot variant $HOT_VARIANT, whose stock is set before each run so that it sells out; the 409s (INSUFFICIENT_STOCK on the add or the checkout, CART_EMPTY after a refused add) are expected and are not errors; req/s is checkouts/s until the last one."
  fi
  if wanted pg_checkout || wanted pg_checkout_hot; then
    printf '%s\n' "pg_checkout, pg_checkout_hot: pgbench -M prepared; one transaction is the service's add-to-cart transaction then its checkout transaction, each between BEGIN and COMMIT (the statements in $RESULTS_DIR/pg_checkout.pgbench), so the limit includes one add per checkout, like the scenarios. pg_checkout_hot buys only variant $HOT_VARIANT, with stock that does not run out."
    printf '%s\n' "pgbench keeps CONNS sessions busy at once, the service at most one per worker ($POOL_WORKERS workers): where every session queues for the same row lock (pg_checkout_hot), fewer sessions lose less to the queue, so checkout_hot can exceed its limit."
    printf '%s\n' "Targets: checkout >= 0.6 x pg_checkout, checkout_hot >= 0.8 x pg_checkout_hot, no oversell, no deadlock."
  fi
  if wanted mail; then
    printf '%s\n' "mail: order confirmations sent by the job runners through the stack's local SMTP server (aiosmtpd, Python, on the same 2 cores); conns is the number of runners, req/s is messages/s from the jobs becoming due to the last one done, errors are jobs that went dead."
  fi
  if wanted cart || wanted cart_add || wanted checkout || wanted checkout_hot ||
    wanted checkout_nooutbox; then
    printf '%s\n' "Users: no two requests in flight share a user (or a cart); cart, checkout and checkout_hot use as many users as connections. They are registered and logged in over HTTP before the runs with BCRYPT_COST=4 and ACCESS_TOKEN_TTL_S=3600: login cost is not measured."
  fi
  if ((${#NOTES[@]})); then printf '%s\n' "${NOTES[@]}"; fi
}

report() {
  local commit machine stamp json_file table_file row notes=()
  mapfile -t notes < <(footer_notes)
  commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  machine="$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  json_file="$RESULTS_DIR/bench-$stamp.json"
  table_file="$RESULTS_DIR/latest.md"

  {
    printf '| scenario | conns | req/s | p50 ms | p99 ms | errors | 409s | vs limit | vs hop | vs c_min (req/s, p99) |\n'
    printf '|---|---|---|---|---|---|---|---|---|---|\n'
    for row in "${ROWS[@]}"; do
      IFS='|' read -r name conns rps p50 p99 errs conflicts limit _ <<<"$row"
      local vs_limit='-' vs_hop='-' vs_c_min='-'
      if [[ $name == detail* && -n $(rps_of c_min "$conns") ]]; then
        vs_c_min="$(ratio "$rps" "$(rps_of c_min "$conns")") x, p99 $(ratio "$p99" "$(p99_of c_min "$conns")") x"
      fi
      if [[ -n $limit && $limit == pg_* ]]; then
        vs_limit="$(ratio "$rps" "$(rps_of "$limit" "$conns")") x $limit"
        vs_hop="$(ratio "$rps" "$(rps_of hop "$conns")")"
      elif [[ $name == detail_cache ]]; then
        vs_limit="$(ratio "$rps" "$(rps_of hop "$conns")") x hop"
        vs_hop="$(ratio "$rps" "$(rps_of hop "$conns")")"
      elif [[ $name == hop ]]; then
        vs_limit="$(ratio "$rps" "$(rps_of nginx "$conns")") x nginx"
      elif [[ -n $limit ]]; then
        vs_limit="$limit"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$name" "$conns" "$rps" "$p50" "$p99" "$errs" "$conflicts" "$vs_limit" "$vs_hop" "$vs_c_min"
    done
    printf '\n%s products, %ss per measurement, wrk -t%s, commit %s, %s\n' \
      "$PRODUCTS" "$DURATION" "$THREADS" "$commit" "$machine"
    if ((${#notes[@]})); then
      printf '\n'
      printf -- '- %s\n' "${notes[@]}"
    fi
  } >"$table_file"

  {
    printf '{"commit":"%s","machine":"%s","date":"%s","duration_s":%s,"products":%s,"rows":[' \
      "$commit" "$machine" "$stamp" "$DURATION" "$PRODUCTS"
    local first=1
    for row in "${ROWS[@]}"; do
      IFS='|' read -r name conns rps p50 p99 errs conflicts limit all_rps <<<"$row"
      ((first)) || printf ','
      first=0
      printf '{"scenario":"%s","connections":%s,"rps":"%s","p50_ms":"%s","p99_ms":"%s","errors":"%s","conflicts":"%s","limit":"%s","all_rps":"%s"}' \
        "$name" "$conns" "$rps" "$p50" "$p99" "$errs" "$conflicts" "$limit" "$all_rps"
    done
    printf '],"notes":['
    first=1
    local note
    for note in "${notes[@]}"; do
      ((first)) || printf ','
      first=0
      note="${note//\\/\\\\}"
      printf '"%s"' "${note//\"/\\\"}"
    done
    printf ']}\n'
  } >"$json_file"

  # latest.md is the last run, whatever it measured; every run also keeps its
  # own table beside its JSON, so a partial run never hides a full one.
  cp -- "$table_file" "${json_file%.json}.md"
  cat "$table_file"
  say "written: $table_file, ${json_file%.json}.md and $json_file"
}

# --- worker memory ------------------------------------------------------------

# "pid requests rss_bytes" per worker (role "worker": job runners serve no
# requests and would never reach a count), from /status?full.
worker_memory() {
  curl -fsS --max-time 5 "$BASE/status?full" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["data"]["processes"]:
    if p["role"] == "worker":
        print(p["pid"], p["requests"], p["rss_bytes"])'
}

# Serves product-detail load until every worker has served at least $1 more
# requests than in the snapshot $2 ("pid requests rss" lines).
serve_until() {
  local more=$1 base=$2 now pid req rss start deadline=$((SECONDS + 600))
  while ((SECONDS < deadline)); do
    now="$(worker_memory)"
    local short=0
    while read -r pid req rss; do
      start="$(awk -v p="$pid" '$1 == p {print $2}' <<<"$base")"
      if [[ -z $start ]] || ((req - start < more)); then short=1; fi
    done <<<"$now"
    ((short)) || return 0
    wrk -t"$THREADS" -c16 -d5s -s "$LUA_DIR/product_detail.lua" "$BASE" >/dev/null 2>&1 || true
  done
  return 1 # some worker did not get that many within 10 minutes
}

# RSS per worker after 10k and after 100k requests of the same load (product
# detail): a worker that leaks grows between the two; the target is 1 MiB.
memory_check() {
  wanted memory || return 0
  say "worker memory: serving until every worker has 10k, then 100k requests more"
  local base after10k after100k pid req rss r10 rss10 growth worst=0 lines=""
  base="$(worker_memory)"
  # A worker that does not get its requests in time (a pool that changed
  # under the bench) leaves the row unmeasured; the other scenarios still run.
  if ! serve_until 10000 "$base"; then
    NOTES+=("Worker memory: NOT MEASURED, some worker served fewer than 10k requests in 10 minutes of product-detail load (requests per worker: $(worker_memory | awk '{printf "%s ", $2}')).")
    return 0
  fi
  after10k="$(worker_memory)"
  if ! serve_until 100000 "$base"; then
    NOTES+=("Worker memory: NOT MEASURED, some worker served fewer than 100k requests in 10 minutes of product-detail load (requests per worker: $(worker_memory | awk '{printf "%s ", $2}')).")
    return 0
  fi
  after100k="$(worker_memory)"
  while read -r pid req rss; do
    read -r r10 rss10 < <(awk -v p="$pid" '$1 == p {print $2, $3}' <<<"$after10k")
    [[ -n ${rss10:-} ]] || continue
    growth=$((rss - rss10))
    ((growth > worst)) && worst=$growth
    lines+="pid $pid: $((rss10 / 1024)) KiB after $r10 requests, $((rss / 1024)) KiB after $req ($((growth / 1024)) KiB); "
  done <<<"$after100k"
  NOTES+=("Worker RSS (product detail load, same workers): ${lines% }")
  if ((worst <= 1048576)); then
    NOTES+=("Worker memory: OK, the largest growth from 10k to 100k requests is $((worst / 1024)) KiB (target: within 1 MiB).")
  else
    NOTES+=("Worker memory: OVER TARGET, a worker grew $((worst / 1024)) KiB from 10k to 100k requests (target: within 1 MiB).")
  fi
}

# Generating the catalogue writes hundreds of MB of WAL, and the checkpoint it
# triggers then runs for minutes: the first write scenarios measured in it ran
# 25 times slower than the same runs afterwards. Every run starts after one.
settle_database() {
  say "checkpoint before measuring"
  sql_value "CHECKPOINT" >/dev/null
}

main() {
  command -v wrk >/dev/null || die "wrk is missing (make deps installs it)"
  command -v pgbench >/dev/null || PATH="${PG_BIN:-/usr/lib/postgresql/15/bin}:$PATH"
  mkdir -p -- "$RESULTS_DIR"
  : >"$RESULTS_DIR/wrk.log" # every wrk result line of this run
  start_stack
  prepare_data
  prepare_users
  settle_database
  memory_check
  measure
  report
  ((OVERSOLD == 0)) || die "oversell: see the notes under the table"
}

main "$@"
