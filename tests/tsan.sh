#!/bin/sh
# The concurrency tests under ThreadSanitizer: the daemon serving many miltertest clients and
# aup-loadgen connections at once with reloads in between, and the unit tests (quarantine
# index races, shared policies). Reports go to files, and tests/tsan_reports.py alone decides:
# any report in aup-milter's own code fails the run (exitcode=0 keeps a report from failing a
# test process by itself, daemon and test programs alike).
# Usage: tests/tsan.sh [BUILD_DIR]   (default build-tsan)
set -eu
cd "$(dirname "$0")/.."
build_dir="${1:-build-tsan}"
jobs="$(nproc 2>/dev/null || echo 2)"

cmake -S . -B "$build_dir" -DAUP_WERROR=ON -DAUP_TSAN=ON >/dev/null
cmake --build "$build_dir" -j "$jobs" --target aup-milter aupctl aup-loadgen aup-null-milter \
  unit_tests
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT
status=0
# glib's slice allocator hands memory between threads through its own lock-free magazines,
# which TSan cannot see: plain malloc instead. tests/tsan.supp: races inside libc's own locks.
options="log_path=$reports/tsan second_deadlock_stack=1 exitcode=0"
G_SLICE=always-malloc \
  TSAN_OPTIONS="$options suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" \
  -R '^(milter: miltertest|loadgen: |unit:)' || status=$?
if [ -n "$(ls "$reports")" ]; then
  python3 tests/tsan_reports.py . "$reports"/tsan* || status=1
fi
[ "$status" -eq 0 ] || exit "$status"
echo "tsan: no reports in aup-milter's code"
