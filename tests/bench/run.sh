#!/bin/sh
# The benchmark: a release build, a generated mixed corpus; first the engine alone (aupctl
# bench: shipped policy against 1,000 generated rules more, and cost by message size,
# recipients and rule count, plotted to an SVG), then the null milter and aup-milter (shipped
# policy, clamd off) under the same driver and settings, 1 and 8 connections, several
# alternating repetitions; prints medians, and last the aup/null throughput ratio. Not a test:
# run it on a quiet machine. Usage: tests/bench/run.sh [BUILD_DIR] (default build-bench);
# results and the plot go to $AUP_BENCH_OUT (default BUILD_DIR/bench-results).
set -eu
cd "$(dirname "$0")/../.."
build="${1:-build-bench}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAUP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target aup-milter aup-null-milter aup-loadgen aupctl \
  >/dev/null
out="${AUP_BENCH_OUT:-$build/bench-results}"
rm -rf "$out"
mkdir -p "$out"
python3 tests/bench/make_corpus.py "$out/corpus" 200
python3 tests/bench/scaling.py --aupctl "$build/bin/aupctl" --config rules/aup.json \
  --corpus "$out/corpus" --out "$out"
exec python3 tests/bench/bench.py --build "$build" --config rules/aup.json
