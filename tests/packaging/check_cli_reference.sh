#!/usr/bin/env bash
# docs/cli.md is generated from the program's --help (packaging/clidoc.sh); this fails when the
# two disagree. Refresh it with:  bash packaging/clidoc.sh markdown build/app/trainyard > docs/cli.md
set -euo pipefail
exe=$1
src=$2
if ! diff -u "$src/docs/cli.md" <(bash "$src/packaging/clidoc.sh" markdown "$exe"); then
  echo "docs/cli.md is out of date: bash packaging/clidoc.sh markdown build/app/trainyard > docs/cli.md" >&2
  exit 1
fi
echo "docs/cli.md matches the program's --help"
