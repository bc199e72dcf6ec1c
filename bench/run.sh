#!/usr/bin/env bash
# Usage: bench/run.sh
# Builds a Release tree in build-bench/ (under the shared build lock) and runs every benchmark of
# bench/ in turn, after installing the reference tools they compare with (.ci/install-deps --bench).
# gitlab-ci-local is the test tree's (build/gitlab-ci-local/) unless GITLAB_CI_LOCAL names one;
# without either it is installed into build-bench/gitlab-ci-local/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRAINYARD_BENCH_BUILD_DIR:-$root/build-bench}
lock=/tmp/trainyard-build.lock

bash "$root/.ci/install-deps" --bench   # the reference tools: gitlab-ci-local's rsync, python3-protobuf

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
(
  flock 9
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DTRAINYARD_BUILD_TESTS=OFF -DTRAINYARD_BUILD_BENCH=ON -DTRAINYARD_BUILD_GUI=ON >/dev/null
  cmake --build "$build" --target benchmarks -j"$(nproc)"
) 9>"$lock"

# The test tree's copy (.ci/test installs gitlab-ci-local there) serves the benchmarks too;
# without one, the benchmarks get their own.
if [[ -z ${GITLAB_CI_LOCAL:-} ]]; then
  if [[ -x $root/build/gitlab-ci-local/node_modules/.bin/gitlab-ci-local ]]; then
    export GITLAB_CI_LOCAL=$root/build/gitlab-ci-local/node_modules/.bin/gitlab-ci-local
  else
    bash "$root/tests/conformance/install-gitlab-ci-local.sh" "$build/gitlab-ci-local"
  fi
fi

# A PostgreSQL server of the benchmarks' own, on loopback, for bench_lineage's team-store push.
pgdir=$(mktemp -d /tmp/trainyard-bench-pg.XXXXXX)
trap 'bash "$root/tests/tools/postgres-server.sh" stop "$pgdir"' EXIT
if bash "$root/tests/tools/postgres-server.sh" start "$pgdir" 55434; then
  export BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55434/lineage PGPASSWORD=postgres
fi

status=0
for bench in "$build"/bench/bench_*; do
  [[ -f $bench && -x $bench ]] || continue
  echo "### $(basename "$bench")"
  "$bench" || { rc=$?; echo "### $(basename "$bench") exited with $rc" >&2; (( status == 0 )) && status=$rc; }
done
exit "$status"
