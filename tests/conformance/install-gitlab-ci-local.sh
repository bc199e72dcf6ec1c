#!/usr/bin/env bash
# Usage: tests/conformance/install-gitlab-ci-local.sh PREFIX
# Installs gitlab-ci-local 4.60.1, the reference of the conformance test and of bench_list and
# bench_run, into PREFIX/node_modules from the lockfile beside this script (the same versions on
# every machine; it builds on Debian 12's Node 18 and on Node 20). Does nothing when PREFIX holds
# that install already. Its native module (re2) is built against the installed Node headers
# (--nodedir=/usr: Debian's libnode-dev), so nothing is fetched from nodejs.org.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gitlab-ci-local
prefix=${1:?usage: install-gitlab-ci-local.sh PREFIX}
exe=$prefix/node_modules/.bin/gitlab-ci-local

if [[ -x $exe ]] && cmp -s "$here/package-lock.json" "$prefix/package-lock.json"; then
  exit 0
fi
mkdir -p "$prefix"
cp "$here/package.json" "$here/package-lock.json" "$prefix/"
echo "Installing gitlab-ci-local 4.60.1 into $prefix (npm ci; about 2 minutes on 2 cores)"
npm ci --prefix "$prefix" --no-audit --no-fund --loglevel=error --nodedir=/usr
"$exe" --version >/dev/null || { echo "gitlab-ci-local does not start on Node $(node --version 2>&1)" >&2; exit 1; }
