#!/usr/bin/env bash
# Checks of the operator's kit, run as ctest tests (tests/ops/CMakeLists.txt):
#
#   ops-check.sh rules            promtool: docs/prometheus/alerts.yml is valid and
#                                 passes its unit tests (alerts_test.yml)
#   ops-check.sh dashboard        the Grafana dashboard is JSON and every query parses
#                                 as PromQL
#   ops-check.sh metrics URL      promtool check metrics on a live /metrics
#   ops-check.sh deploy           README "Deploy on a Debian server", walked through
#                                 into a temporary DESTDIR: install, user, units
#                                 (systemd-analyze verify), logrotate -d, the nginx
#                                 site (nginx -t), then uninstall leaves nothing
#
# BUILD_DIR: the configured build (default build/).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing (run: make deps)"
}

cmd_rules() {
  need promtool
  promtool check rules "$REPO/docs/prometheus/alerts.yml"
  (cd "$REPO/docs/prometheus" && promtool test rules alerts_test.yml)
}

cmd_dashboard() {
  need promtool
  need node
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf -- '$tmp'" EXIT
  # Each panel query becomes a recording rule, with Grafana's variables
  # replaced, so that promtool parses it.
  node - "$REPO/docs/grafana/ecommerce-service.json" >"$tmp/rules.yml" <<'JS'
const d = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
if (!Array.isArray(d.panels) || d.panels.length === 0) throw new Error('no panels');
const lines = ['groups:', '  - name: dashboard', '    rules:'];
for (const p of d.panels) {
  if (!p.targets || p.targets.length === 0) throw new Error(`panel "${p.title}" has no query`);
  for (const t of p.targets) {
    const expr = t.expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*');
    lines.push('      - record: dashboard:query', '        expr: ' + JSON.stringify(expr));
  }
}
console.log(lines.join('\n'));
JS
  promtool check rules "$tmp/rules.yml"
}

cmd_metrics() {
  local url=${1:?usage: ops-check.sh metrics URL}
  need promtool
  local body
  body=$(curl -fsS --max-time 10 "$url") || die "no answer from $url"
  grep -q '^worker_pool_workers' <<<"$body" || die "$url has no worker_pool_workers"
  promtool check metrics <<<"$body"
  say "promtool check metrics: $url is clean"
}

# The deploy recipe of README.md, step by step, into a DESTDIR. Steps that
# need a booted systemd (systemctl enable --now) are checked, not run.
cmd_deploy() {
  need systemd-analyze
  need logrotate
  need nginx
  local root prefix unit_dir file
  root=$(mktemp -d /tmp/ecom-deploy.XXXXXX)
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf -- '$root'" EXIT
  prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD_DIR/CMakeCache.txt")
  [[ -n $prefix ]] || die "no CMAKE_INSTALL_PREFIX in $BUILD_DIR/CMakeCache.txt"

  say "1. make install DESTDIR=$root (PREFIX=$prefix)"
  DESTDIR="$root" cmake --install "$BUILD_DIR" >/dev/null
  for file in "$prefix/bin/ecommerce-server" "$prefix/bin/ecommerce-ctl" \
    "$prefix/share/ecommerce-service/sql/seed.sql" "$prefix/share/ecommerce-service/site/openapi.json" \
    "$prefix/share/ecommerce-service/site/docs/index.html" \
    "$prefix/share/ecommerce-service/nginx/ecommerce-site.conf" \
    "$prefix/share/ecommerce-service/prometheus/alerts.yml" \
    "$prefix/share/ecommerce-service/grafana/ecommerce-service.json" \
    /etc/logrotate.d/ecommerce-service /etc/ecommerce-service/ecommerce-server.env.example; do
    [[ -e $root$file ]] || die "make install did not install $file"
  done
  "$root$prefix/bin/ecommerce-server" --help >/dev/null 2>&1 || true

  say "2. the dedicated user (systemd-sysusers)"
  mkdir -p -- "$root/etc"
  touch -- "$root/etc/passwd" "$root/etc/group" "$root/etc/shadow" "$root/etc/gshadow"
  systemd-sysusers --root="$root" "$root$prefix/lib/sysusers.d/ecommerce-service.conf"
  grep -q '^ecommerce:' "$root/etc/passwd" || die "systemd-sysusers made no ecommerce user"

  say "3. settings: ecommerce-server.env from the example"
  cp -- "$root/etc/ecommerce-service/ecommerce-server.env.example" \
    "$root/etc/ecommerce-service/ecommerce-server.env"

  say "4. the units (systemd-analyze verify)"
  unit_dir="$root$prefix/lib/systemd/system"
  # Verified where systemd's own units are (this machine), with the
  # installed binaries' paths pointing into DESTDIR.
  mkdir -p -- "$root/verify"
  for file in "$unit_dir"/ecommerce-*.service; do
    sed -e "s|$prefix/|$root$prefix/|g" "$file" >"$root/verify/$(basename -- "$file")"
  done
  systemd-analyze verify --man=no "$root"/verify/ecommerce-*.service >"$root/verify.log" 2>&1 || true
  cat -- "$root/verify.log" >&2
  # Units it merely cannot find (PostgreSQL may live on another host) are fine.
  if grep -v -e 'postgresql.service' -e 'not found' "$root/verify.log" | grep -q .; then
    die "systemd-analyze verify found problems in the units"
  fi
  grep -q '^Type=notify' "$unit_dir/ecommerce-server.service"
  grep -q '^KillSignal=SIGQUIT' "$unit_dir/ecommerce-server.service"
  grep -q '^ExecReload=/bin/kill -HUP \$MAINPID' "$unit_dir/ecommerce-server.service"

  say "5. log rotation (logrotate -d)"
  cmd_logrotate "$root" "$root/etc/logrotate.d/ecommerce-service"

  say "6. the nginx site (nginx -t, with a throwaway certificate)"
  cmd_nginx_site "$root" "$root$prefix/share/ecommerce-service/nginx/ecommerce-site.conf"

  say "7. make uninstall leaves nothing behind"
  DESTDIR="$root" "$REPO/scripts/uninstall.sh" "$BUILD_DIR/install_manifest.txt" 2>/dev/null
  local left
  left=$(find "$root$prefix" "$root/etc/logrotate.d" "$root/etc/ecommerce-service" -type f \
    ! -name ecommerce-server.env 2>/dev/null || true)
  [[ -z $left ]] || die "left after uninstall: $left"
  say "deploy recipe: ok"
}

# logrotate -d of CONFIG; its `su`/`create` user must exist, so on a machine
# without the dedicated user the check runs on a copy that names root.
cmd_logrotate() {
  local root=$1 config=$2 checked out
  checked=$config
  if ! getent passwd ecommerce >/dev/null; then
    checked="$root/logrotate-as-root"
    sed -e 's/ecommerce ecommerce$/root root/' "$config" >"$checked"
  fi
  grep -q 'kill -USR1' "$config" || die "$config does not send SIGUSR1"
  out=$(logrotate -d -s "$root/logrotate.state" "$checked" 2>&1) || {
    printf '%s\n' "$out" >&2
    die "logrotate -d rejected $config"
  }
  if grep -q '^error:' <<<"$out"; then
    printf '%s\n' "$out" >&2
    die "logrotate -d found errors in $config"
  fi
}

# nginx -t of the production site inside a minimal http {} like Debian's.
cmd_nginx_site() {
  local root=$1 site=$2 dir="$1/nginx-check"
  mkdir -p -- "$dir/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=shop-api.example.com \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
  sed -e "s|/etc/letsencrypt/live/shop-api.example.com/fullchain.pem|$dir/cert.pem|" \
    -e "s|/etc/letsencrypt/live/shop-api.example.com/privkey.pem|$dir/key.pem|" \
    "$site" >"$dir/site.conf"
  cat >"$dir/nginx.conf" <<NGINX
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  gzip on;
  client_body_temp_path $dir/tmp;
  include $dir/site.conf;
}
NGINX
  cp -- /etc/nginx/fastcgi_params "$dir/fastcgi_params"
  nginx -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" ||
    die "nginx -t rejected $site"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    rules) cmd_rules ;;
    dashboard) cmd_dashboard ;;
    metrics) cmd_metrics "$@" ;;
    deploy) cmd_deploy ;;
    *)
      sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
