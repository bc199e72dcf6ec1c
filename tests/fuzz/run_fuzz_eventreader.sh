#!/usr/bin/env bash
# Usage: tests/fuzz/run_fuzz_eventreader.sh [SECONDS]   (default 60)
# Builds the event-file harness into build-fuzz/ (clang; sanitizers on our code only, as for
# run_fuzz.sh) and fuzzes TfRecordReader and EventDecoder for SECONDS, starting from a fresh
# copy of the seed corpus: the real event files of tests/data/tfevents (libFuzzer reads their
# first -max_len bytes). Exits non-zero on any crash, leak, timeout or out-of-memory; the input
# that did it is left in build-fuzz/fuzz-run-eventreader/artifacts/.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${TRAINYARD_FUZZ_BUILD_DIR:-$root/build-fuzz}
lock=/tmp/trainyard-build.lock

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Only the build holds the shared build lock; fuzzing itself runs without it.
(
  flock 9
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
      -DTRAINYARD_FUZZ=ON -DTRAINYARD_BUILD_GUI=OFF -DTRAINYARD_BUILD_TESTS=OFF -DTRAINYARD_BUILD_BENCH=OFF >/dev/null
  fi
  cmake --build "$build" --target fuzz_eventreader -j"$(nproc)"
) 9>"$lock"

seeds=$root/tests/data/tfevents
[[ -d $seeds ]] || seeds=/work/shared/testdata/tfevents
run=$build/fuzz-run-eventreader
rm -rf "$run"
mkdir -p "$run/corpus" "$run/artifacts"
i=0
while IFS= read -r -d '' f; do
  cp "$f" "$run/corpus/seed-$((i++))-$(basename "$f")"
done < <(find "$seeds" -name 'events.out.tfevents.*' -type f -print0 | sort -z)
echo "run_fuzz_eventreader.sh: $i seed file(s) from $seeds, fuzzing for ${seconds}s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
"$build/tests/fuzz/fuzz_eventreader" "$run/corpus" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -detect_leaks=1 \
  -artifact_prefix="$run/artifacts/" -print_final_stats=1 2>&1 | tee "$run/fuzz.log" || status=$?
if (( status != 0 )) || compgen -G "$run/artifacts/*" >/dev/null; then
  echo "run_fuzz_eventreader.sh: FAILED (exit $status); inputs in $run/artifacts/, log in $run/fuzz.log" >&2
  exit $(( status != 0 ? status : 1 ))
fi
echo "run_fuzz_eventreader.sh: no crash, leak or timeout in ${seconds}s"
