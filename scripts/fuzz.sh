#!/usr/bin/env bash
# What `make fuzz` runs: builds the libFuzzer targets of tests/fuzz with clang-14
# (-fsanitize=fuzzer,address,undefined) into FUZZ_BUILD_DIR, then runs each one
# for FUZZ_SECONDS on its seed corpus (tests/fuzz/corpus/<target>/).
#
#   FUZZ_SECONDS    60               per target
#   FUZZ_TARGETS    every target     e.g. "jwt_verify router"
#   FUZZ_BUILD_DIR  build-fuzz       also holds the grown corpora (corpus/<target>/)
#                                    and what crashed (artifacts/<target>/)
#
# Exits non-zero when a target crashes, leaks, trips a sanitizer or times out on
# one input. The input that did it is in artifacts/<target>/; once the bug is
# fixed, copy it into tests/fuzz/corpus/<target>/: every `make test` replays that
# directory (the "fuzz corpus: <target>" unit tests), so it stays fixed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_BUILD_DIR="$(realpath -m -- "${FUZZ_BUILD_DIR:-$REPO/build-fuzz}")"
CLANG="${CLANG:-clang-14}"
CLANGXX="${CLANGXX:-clang++-14}"

build() {
  command -v "$CLANGXX" >/dev/null || die "$CLANGXX missing: apt-get install clang-14 libclang-rt-14-dev"
  say "building the fuzz targets in $FUZZ_BUILD_DIR"
  CC="$CLANG" CXX="$CLANGXX" cmake -S "$REPO" -B "$FUZZ_BUILD_DIR" -DFUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$FUZZ_BUILD_DIR" -j"$(nproc)"
}

targets() {
  if [[ -n ${FUZZ_TARGETS:-} ]]; then
    printf '%s\n' $FUZZ_TARGETS
  else
    find "$REPO/tests/fuzz" -maxdepth 1 -name '*_fuzz.cc' -printf '%f\n' | sed 's/_fuzz\.cc$//' | sort
  fi
}

# Runs one target; prints its figures; returns libFuzzer's exit code.
run_target() {
  local name=$1 bin="$FUZZ_BUILD_DIR/tests/fuzz/fuzz_$1" rc=0
  [[ -x $bin ]] || die "no fuzz target $name ($bin)"
  local work="$FUZZ_BUILD_DIR/corpus/$name" artifacts="$FUZZ_BUILD_DIR/artifacts/$name"
  mkdir -p -- "$work" "$artifacts"
  say "fuzzing $name for ${FUZZ_SECONDS}s"
  # The first corpus directory receives the new inputs: the seeds stay as they are.
  "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work" "$REPO/tests/fuzz/corpus/$name" \
    </dev/null >"$FUZZ_BUILD_DIR/$name.log" 2>&1 || rc=$?
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' \
    "$FUZZ_BUILD_DIR/$name.log" | sed "s/^/[fuzz] $name /" >&2 || true
  if ((rc != 0)); then
    tail -n 60 "$FUZZ_BUILD_DIR/$name.log" >&2
    say "FAILED: $name (exit $rc); the input is in $artifacts/"
  fi
  return "$rc"
}

main() {
  build
  local name failed=()
  while read -r name; do
    run_target "$name" || failed+=("$name")
  done < <(targets)
  if ((${#failed[@]} > 0)); then
    die "fuzz targets that failed: ${failed[*]}"
  fi
  say "every fuzz target ran ${FUZZ_SECONDS}s without a finding"
}

main "$@"
