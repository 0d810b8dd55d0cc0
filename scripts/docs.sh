#!/usr/bin/env bash
# The API description's tools: installs the pinned npm packages into the build,
# builds what nginx serves at /openapi.json and /docs, lints the document,
# validates recorded answers against it and drives the browser test.
#
#   docs.sh install          npm ci of scripts/docs/package-lock.json into $BUILD_DIR/npm
#                            (again only when the lock file changed)
#   docs.sh build            install, then $BUILD_DIR/site: openapi.json and docs/ (Swagger UI)
#   docs.sh lint             redocly lint docs/openapi.yaml (errors fail)
#   docs.sh validate FILE    every JSON answer recorded in FILE (JSON lines, written by the
#                            e2e client when E2E_RECORD_FILE is set) against the document
#   docs.sh browser OUT_DIR  Chromium (Debian's, headless) loads /docs of E2E_BASE_URL and logs
#                            in from a second origin (E2E_CORS_ORIGIN) through CORS
#
# Nothing is fetched at run time: npm runs only in `install`, from the lock file.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
NPM_DIR="$BUILD_DIR/npm"
SITE_DIR="$BUILD_DIR/site"
TOOLS_DIR="$REPO/scripts/docs"
DOCUMENT="$REPO/docs/openapi.yaml"
# No browser download (Debian's chromium is used) and no install-time telemetry.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 SCARF_ANALYTICS=false
# The linter: no usage reports, no update checks.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICES=true

require_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    die "node and npm are missing (run: make deps)"
}

cmd_install() {
  require_node
  if [[ -d $NPM_DIR/node_modules ]] && cmp -s "$TOOLS_DIR/package-lock.json" "$NPM_DIR/package-lock.json"; then
    return 0
  fi
  say "installing the pinned npm packages into $NPM_DIR"
  mkdir -p -- "$NPM_DIR"
  cp -- "$TOOLS_DIR/package.json" "$TOOLS_DIR/package-lock.json" "$NPM_DIR/"
  # --ignore-scripts: none of these packages needs an install script to work.
  (cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    die "npm ci failed in $NPM_DIR"
}

# Runs one of scripts/docs/*.mjs from a copy beside $NPM_DIR/node_modules: ES
# modules resolve packages from the script's own folder upwards (not NODE_PATH).
run_tool() {
  local name=$1
  shift
  mkdir -p -- "$NPM_DIR/tools"
  cp -- "$TOOLS_DIR/$name" "$NPM_DIR/tools/$name"
  node "$NPM_DIR/tools/$name" "$@"
}

cmd_build() {
  cmd_install
  local ui="$NPM_DIR/node_modules/swagger-ui-dist" tmp="$SITE_DIR.new"
  rm -rf -- "$tmp"
  mkdir -p -- "$tmp/docs"
  run_tool yaml-to-json.mjs "$DOCUMENT" "$tmp/openapi.json"
  cp -- "$ui/swagger-ui.css" "$ui/swagger-ui-bundle.js" "$ui/favicon-32x32.png" "$tmp/docs/"
  cp -- "$TOOLS_DIR/site/index.html" "$TOOLS_DIR/site/init.js" "$tmp/docs/"
  rm -rf -- "$SITE_DIR"
  mv -- "$tmp" "$SITE_DIR"
  say "built $SITE_DIR (openapi.json, docs/)"
}

cmd_lint() {
  cmd_install
  node "$NPM_DIR/node_modules/@redocly/cli/bin/cli.js" lint \
    --config "$REPO/docs/redocly.yaml" --format=stylish "$DOCUMENT"
}

cmd_validate() {
  local file=${1:?usage: docs.sh validate FILE}
  cmd_install
  run_tool validate-answers.mjs "$DOCUMENT" "$file"
}

cmd_browser() {
  local out=${1:?usage: docs.sh browser OUT_DIR}
  cmd_install
  [[ -x ${CHROMIUM_BIN:-/usr/bin/chromium} ]] || die "chromium is missing (run: make deps)"
  mkdir -p -- "$out"
  run_tool browser-test.mjs "$out"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    install) cmd_install ;;
    build) cmd_build ;;
    lint) cmd_lint ;;
    validate) cmd_validate "$@" ;;
    browser) cmd_browser "$@" ;;
    *)
      sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
