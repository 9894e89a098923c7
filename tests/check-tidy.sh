#!/bin/sh
# Runs .clang-tidy's curated checks (function size, use after move, dangling views...) over
# every source under milter/, with the compile commands of an existing build; fails on any
# warning. Usage: tests/check-tidy.sh BUILD_DIR
set -eu
cd "$(dirname "$0")/.."
build_dir="${1:?usage: tests/check-tidy.sh BUILD_DIR}"
jobs="$(nproc 2>/dev/null || echo 2)"
[ -f "$build_dir/compile_commands.json" ] || {
  echo "check-tidy: no $build_dir/compile_commands.json; configure the build first" >&2
  exit 2
}
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
git ls-files 'milter/*.cpp' | xargs -P "$jobs" -n 4 clang-tidy -p "$build_dir" --quiet \
  >"$log" 2>/dev/null || status=$?
grep -E "(warning|error):" "$log" || true
count="$(grep -cE "(warning|error):" "$log" || true)"
echo "check-tidy: $(git ls-files 'milter/*.cpp' | wc -l) files, $count finding(s)"
[ "$status" -eq 0 ] && [ "$count" -eq 0 ]
