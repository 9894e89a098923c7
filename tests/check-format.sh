#!/bin/sh
# Fails when any C++ source differs from .clang-format's layout.
set -eu
cd "$(dirname "$0")/.."
files="$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find milter tests -name '*.[ch]pp')"
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "check-format: $(echo "$files" | wc -w) files clean"
