#!/bin/sh
# The benchmark: a release build, a generated mixed corpus, the null milter and aup-milter
# (shipped policy, clamd off) under the same driver and settings, 1 and 8 connections, several
# alternating repetitions; prints medians and the aup/null throughput ratio. Not a test: run it
# on a quiet machine. Usage: tests/bench/run.sh [BUILD_DIR] (default build-bench)
set -eu
cd "$(dirname "$0")/../.."
build="${1:-build-bench}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAUP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target aup-milter aup-null-milter aup-loadgen >/dev/null
exec python3 tests/bench/bench.py --build "$build" --config rules/aup.json
