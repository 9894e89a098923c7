#!/bin/sh
# Fuzzes each target (libFuzzer, clang, ASan+UBSan) for SECONDS each (default 300), starting
# from generated seeds and the saved inputs in tests/fuzz/inputs/. Crash inputs are written to
# BUILD/crashes/<target>/; the run fails if any target found one. With AUP_FUZZ_SAVE=1 the
# saved inputs are replaced by a minimised merge of themselves, the seeds and what the run
# found (crash inputs, once fixed, go in tests/fuzz/inputs/<target>/crashes/ by hand).
# Usage: tests/fuzz/run.sh [SECONDS] (targets: AUP_FUZZ_TARGETS, build: AUP_FUZZ_BUILD)
set -eu
cd "$(dirname "$0")/../.."
seconds="${1:-300}"
build="${AUP_FUZZ_BUILD:-build-fuzz}"
targets="${AUP_FUZZ_TARGETS:-message policy archive milter}"

CC=clang CXX=clang++ cmake -S . -B "$build" -DAUP_FUZZ=ON -DAUP_BUILD_TESTS=OFF >/dev/null
for target in $targets; do
  cmake --build "$build" -j "$(nproc)" --target "fuzz_$target" >/dev/null
done
rm -rf "$build/seeds"
python3 tests/fuzz/make_seeds.py "$build/seeds"

max_len() {
  case "$1" in
    policy) echo 65536 ;;
    archive) echo 1048576 ;;
    *) echo 262144 ;;
  esac
}

# Replaces tests/fuzz/inputs/TARGET by a minimised merge of itself, the seeds and the run's
# corpus. The message target's seeds are the test corpus, replayed from where they are, so
# only the inputs that add coverage beyond them are kept.
save_inputs() {
  target="$1"
  saved="tests/fuzz/inputs/$target"
  previous="$build/previous-$target"
  merged="$build/merged-$target"
  rm -rf "$previous" "$merged" && mkdir -p "$previous" "$merged" "$saved"
  find "$saved" -maxdepth 1 -type f -exec mv {} "$previous/" \;
  # A failed merge must not leave the saved inputs gone: put them back first.
  trap 'find "$previous" -maxdepth 1 -type f -exec mv {} "$saved/" \;' EXIT
  fuzzer="$build/bin/fuzz_$target -merge=1 -max_len=$(max_len "$target")"
  if [ "$target" = message ]; then
    $fuzzer "$merged" "$build/seeds/$target" >"$build/merge-$target.log" 2>&1
    ls "$merged" >"$build/merged-seeds-$target"
    $fuzzer "$merged" "$previous" "$corpus" >>"$build/merge-$target.log" 2>&1
    ls "$merged" | grep -vxF -f "$build/merged-seeds-$target" | while read -r name; do
      cp "$merged/$name" "$saved/"
    done
  else
    $fuzzer "$saved" "$previous" "$build/seeds/$target" "$corpus" >"$build/merge-$target.log" 2>&1
  fi
  trap - EXIT
  echo "$target: $(find "$saved" -maxdepth 1 -type f | wc -l) inputs saved"
}

failed=""
for target in $targets; do
  corpus="$build/corpus/$target"
  crashes="$build/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  echo "== $target: ${seconds}s"
  status=0
  "$build/bin/fuzz_$target" "$corpus" "$build/seeds/$target" "tests/fuzz/inputs/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$build/fuzz-$target.log" 2>&1 || status=$?
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|cov:" \
    "$build/fuzz-$target.log" | tail -n 3
  if [ "$status" -ne 0 ] || [ -n "$(ls "$crashes")" ]; then
    echo "$target: FOUND A PROBLEM (exit $status); see $build/fuzz-$target.log and $crashes"
    failed="$failed $target"
  fi
  if [ "${AUP_FUZZ_SAVE:-0}" = 1 ]; then save_inputs "$target"; fi
done
[ -z "$failed" ] || { echo "fuzzing found problems in:$failed"; exit 1; }
echo "fuzzing: no problems found"
