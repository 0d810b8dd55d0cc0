#!/usr/bin/env bash
# `make uninstall`: removes every file the last `make install` installed (as
# listed in CMake's install manifest, under DESTDIR when set), then the
# folders of ours it leaves empty. A settings file made from the example stays.
#   uninstall.sh [MANIFEST]     default $BUILD_DIR/install_manifest.txt
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR="$(realpath -m -- "${BUILD_DIR:-$REPO/build}")"
manifest=${1:-$BUILD_DIR/install_manifest.txt}
[[ -f $manifest ]] || die "no $manifest: nothing was installed from $BUILD_DIR"

declare -A dirs=()
while IFS= read -r file || [[ -n $file ]]; do
  [[ -n $file ]] || continue
  file="${DESTDIR:-}$file"
  if [[ -e $file || -L $file ]]; then
    rm -f -- "$file"
    say "removed $file"
  fi
  dirs["$(dirname -- "$file")"]=1
done <"$manifest"

# Empty folders that only we used (ecommerce-service in their path), deepest first.
for dir in $(printf '%s\n' "${!dirs[@]}" | sort -r); do
  while [[ $dir == *ecommerce-service* ]] && rmdir -- "$dir" 2>/dev/null; do
    dir=$(dirname -- "$dir")
  done
done
