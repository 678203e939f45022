#!/usr/bin/env bash
# Every C++ file in the repository is formatted with its .clang-format:
# lists the files that are not and exits 1. `make format` fixes them.
set -euo pipefail
root=${1:?usage: check_format.sh SOURCE_DIR}
cd "$root"
files=()
while IFS= read -r -d '' file; do files+=("$file"); done < <(
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -- '*.cpp' '*.hpp'
  else
    find . \( -path ./build\* -o -name node_modules \) -prune -o \( -name '*.cpp' -o -name '*.hpp' \) -print0
  fi)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if clang-format --dry-run --Werror "${files[@]}" 2>"$report"; then
  echo "format: ${#files[@]} files formatted as .clang-format says"
  exit 0
fi
grep -o '^[^:]*:[0-9]*:[0-9]*: error' "$report" | cut -d: -f1 | sort -u | sed 's/^/format: not formatted: /'
echo "format: run 'make format'"
exit 1
