#!/usr/bin/env bash
# The code's layout is .clang-format's, checked rather than argued over: every C++ file of the
# source tree must be as clang-format writes it. Fix the files it names with
#   git ls-files '*.cpp' '*.h' | xargs clang-format -i
# Usage: check_format.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: check_format.sh SOURCE_DIR}
cd "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.h')
else # a source tarball
  mapfile -t files < <(find app core ui tests bench resources -name '*.cpp' -o -name '*.h')
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/trainyard-format.$$; then
  grep -o '^[^:]*\.\(cpp\|h\):[0-9]*:[0-9]*' /tmp/trainyard-format.$$ | head -40
  echo "$(grep -c 'clang-format-violations' /tmp/trainyard-format.$$) lines differ from .clang-format in" \
       "$(grep -o '^[^:]*\.\(cpp\|h\)' /tmp/trainyard-format.$$ | sort -u | wc -l) files" >&2
  rm -f /tmp/trainyard-format.$$
  exit 1
fi
rm -f /tmp/trainyard-format.$$
echo "${#files[@]} files formatted as .clang-format says"
