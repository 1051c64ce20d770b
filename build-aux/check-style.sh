#!/bin/sh
# check-style.sh - the style check CI runs: clang-format must leave every
# C file unchanged, and a few unsafe functions are banned (curl's list).
# Usage: check-style.sh [SRCDIR]
set -u
top=${1:-.}
cd "$top" || exit 2
status=0
files=$(find core sdk plugins tests -name '*.[ch]' -not -path '*/.libs/*' | sort)
if command -v clang-format >/dev/null 2>&1; then
  for f in $files; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
      echo "style: $f: not clang-formatted; run: clang-format -i $f"
      status=1
    fi
  done
else
  echo "style: clang-format not found: apt-get install clang-format"
  status=1
fi
# Banned: unbounded or surprising string functions.
banned='\<(sprintf|vsprintf|strcat|strcpy|strtok|strncpy|gets|atoi)[[:space:]]*\('
if grep -nE "$banned" $files; then
  echo "style: banned function used above; use snprintf/strtol/memcpy instead"
  status=1
fi
[ $status -eq 0 ] && echo "style: $(echo "$files" | wc -w) files clean"
exit $status
