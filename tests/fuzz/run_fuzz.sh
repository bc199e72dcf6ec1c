#!/usr/bin/env bash
# Usage: tests/fuzz/run_fuzz.sh [HARNESS] [SECONDS]   (defaults: gitlabcireader, 60)
#        tests/fuzz/run_fuzz.sh --configure-only      (only the CMake configure of build-fuzz/)
# Builds a libFuzzer harness into build-fuzz/ (clang; sanitizers on our code only) and fuzzes it
# for SECONDS from a fresh copy of its seed corpus:
#   gitlabcireader  GitlabCiReader, RuleExpression, GlobPattern; seeds tests/data/gitlab-ci
#   eventreader     TfRecordReader, EventDecoder; seeds the real event files of tests/data/tfevents
#                   (libFuzzer reads their first -max_len bytes)
#   supplychain     PackageInventory, Sbom, OsvAdvisory/OsvDatabase, ScannerReport, the version
#                   orderings; seeds the scanners' reports of tests/data/scanners and the package
#                   databases of tests/fuzz/seeds/supplychain
# Inputs in tests/fuzz/regressions/HARNESS/ (earlier crashes) join the corpus.
# Exits non-zero on any crash, leak, timeout or out-of-memory; the input that did it is left in
# build-fuzz/fuzz-run-HARNESS/artifacts/.
set -euo pipefail

configure_only=false
if [[ ${1:-} == --configure-only ]]; then configure_only=true; shift; fi
harness=${1:-gitlabcireader}
seconds=${2:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${TRAINYARD_FUZZ_BUILD_DIR:-$root/build-fuzz}
lock=/tmp/trainyard-build.lock

case $harness in
  gitlabcireader) data=gitlab-ci; pattern='*.yml'; extra=(-dict="$root/tests/fuzz/gitlab-ci.dict") ;;
  eventreader) data=tfevents; pattern='events.out.tfevents.*'; extra=() ;;
  supplychain) data=scanners; pattern='*.json'; extra=() ;;
  *) echo "run_fuzz.sh: unknown harness '$harness' (gitlabcireader, eventreader, supplychain)" >&2; exit 2 ;;
esac
target=fuzz_$harness

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Only the build holds the shared build lock; fuzzing itself runs without it.
(
  flock 9
  if [[ ! -f $build/CMakeCache.txt ]] || $configure_only; then
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only \
      -DCMAKE_CXX_COMPILER=clang++ \
      -DTRAINYARD_FUZZ=ON -DTRAINYARD_BUILD_GUI=OFF -DTRAINYARD_BUILD_TESTS=OFF -DTRAINYARD_BUILD_BENCH=OFF >/dev/null
  fi
  $configure_only && exit 0
  cmake --build "$build" --target "$target" -j"$(nproc)"
) 9>"$lock"
$configure_only && exit 0

seeds=$root/tests/data/$data
run=$build/fuzz-run-$harness
rm -rf "$run"
mkdir -p "$run/corpus" "$run/artifacts"
i=0
while IFS= read -r -d '' f; do
  cp "$f" "$run/corpus/seed-$((i++))-$(basename "$f")"
done < <(find "$seeds" -name "$pattern" -type f -print0 | sort -z)
# Seeds written for a harness whose inputs no tool of tests/data wrote (package databases).
if [[ -d $root/tests/fuzz/seeds/$harness ]]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$run/corpus/seed-$((i++))-$(basename "$f")"
  done < <(find "$root/tests/fuzz/seeds/$harness" -type f -print0 | sort -z)
fi
# Inputs that once crashed a harness stay in its corpus, so a regression fails at start-up.
regressions=$root/tests/fuzz/regressions/$harness
r=0
if [[ -d $regressions ]]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$run/corpus/regression-$((r++))-$(basename "$f")"
  done < <(find "$regressions" -type f -print0 | sort -z)
fi
echo "run_fuzz.sh $harness: $i seed file(s) from $seeds and $r earlier crash(es), fuzzing for ${seconds}s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
"$build/tests/fuzz/$target" "$run/corpus" "${extra[@]}" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -detect_leaks=1 \
  -artifact_prefix="$run/artifacts/" -print_final_stats=1 2>&1 | tee "$run/fuzz.log" || status=$?
if (( status != 0 )) || compgen -G "$run/artifacts/*" >/dev/null; then
  echo "run_fuzz.sh $harness: FAILED (exit $status); inputs in $run/artifacts/, log in $run/fuzz.log" >&2
  exit $(( status != 0 ? status : 1 ))
fi
echo "run_fuzz.sh $harness: no crash, leak or timeout in ${seconds}s"
