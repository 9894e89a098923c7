#!/bin/sh
# The soak test (issue: hardening): 100,000 messages through aup-milter with a reload every
# 5 seconds, from a release build; prints memory growth, descriptors and verdict differences
# last. Takes about 10 minutes on 2 cores. Usage: tests/soak/run.sh [BUILD_DIR] [COUNT]
set -eu
cd "$(dirname "$0")/../.."
build="${1:-build-bench}"
count="${2:-100000}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAUP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target aup-milter aup-loadgen aupctl >/dev/null
exec python3 tests/soak/soak.py --bin "$build/bin" --count "$count"
