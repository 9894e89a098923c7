#!/bin/sh
# Builds with warnings as errors and runs the whole test suite; exits non-zero on any failure.
# Usage: tests/run.sh [BUILD_DIR]   (AUP_SANITIZE=ON for an ASan+UBSan build)
set -eu
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"

tests/check-format.sh
cmake -S . -B "$build_dir" -DAUP_WERROR=ON -DAUP_SANITIZE="${AUP_SANITIZE:-OFF}"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
