#!/usr/bin/env bash
# Usage: tests/install/fresh_machine.sh [--configure-only | --full] [--commit REV]
#
# The README's two set-up commands on a brand-new Debian 12 machine: a container made from
# Debian's own packages (mmdebstrap --variant=apt bookworm), cached as the local Docker image
# trainyard-fresh-debian:12, with a clean clone of the commit under test (HEAD, or --commit REV).
#
#   --configure-only (default; CTest label fresh-machine, run by .ci/test)
#       the install step of both commands and the CMake configure of every build tree they make:
#       `.ci/main --configure-only` (install-deps --docker, the main tree) then
#       `.ci/test --configure-only` (install-deps --test, gitlab-ci-local from npm, the test tree,
#       the fuzz tree, the bench tree). Fails naming each missing module or package.
#   --full
#       the whole `bash .ci/main`, ending with the demo's run, on the host's Docker engine (its
#       socket mounted, the clone at the same path inside and outside, so the demo's containers
#       see the same files).
#
# Downloaded .deb files and npm packages are kept in /var/cache/trainyard-fresh-machine so that
# later runs do not download them again; what gets installed is still decided by apt and npm in
# the brand-new system. The CA certificates this machine's administrator added are trusted there
# too (the network's, not the project's). The container's log is kept in /var/tmp/trainyard-fresh-machine.log.
# Needs root (or passwordless sudo) for mmdebstrap, and a Docker engine.
set -euo pipefail

mode=--configure-only
rev=HEAD
while [[ $# -gt 0 ]]; do
  case $1 in
    --configure-only | --full) mode=$1 ;;
    --commit) rev=${2:?--commit needs a revision}; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh_machine.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
image=trainyard-fresh-debian:12
cache=/var/cache/trainyard-fresh-machine
log=/var/tmp/trainyard-fresh-machine.log
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else echo "SKIP: needs root or passwordless sudo (mmdebstrap)"; exit 77; fi
fi
say() { printf '[fresh-machine %s] %s\n' "$(date +%T)" "$*"; }

commit=$(git -C "$root" rev-parse --verify "$rev^{commit}") || { echo "fresh_machine.sh: no commit '$rev' in $root" >&2; exit 2; }
if [[ $rev == HEAD ]] && [[ -n $(git -C "$root" status --porcelain -- .ci CMakeLists.txt '*/CMakeLists.txt' cmake bench/run.sh tests/fuzz/run_fuzz.sh 2>/dev/null) ]]; then
  say "note: uncommitted changes to the build or its install step are not tested; only commit ${commit:0:12} is"
fi

bash "$root/.ci/start-docker"

# The brand-new Debian 12: made once from Debian's packages, then kept as a local image.
if ! docker image inspect "$image" >/dev/null 2>&1; then
  command -v mmdebstrap >/dev/null || { say "installing mmdebstrap"; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mmdebstrap >/dev/null; }
  tar=$(mktemp /var/tmp/trainyard-fresh-debian-XXXXXX.tar)
  say "making a Debian 12 root file system with mmdebstrap (about 45 s, once)"
  if ! $sudo mmdebstrap --variant=apt --include=ca-certificates,git bookworm "$tar" >"$log" 2>&1; then
    tail -5 "$log"; rm -f "$tar"; echo "FAIL: mmdebstrap could not make the root file system (log: $log)" >&2; exit 1
  fi
  docker import --change 'ENV DEBIAN_FRONTEND=noninteractive' "$tar" "$image" >/dev/null
  rm -f "$tar"
fi

# A clean clone of the commit under test, at a path that is the same inside and outside.
work=$(mktemp -d /var/tmp/trainyard-fresh-XXXXXX)
trap 'docker run --rm -v "$work:$work" "$image" rm -rf "$work/clone" >/dev/null 2>&1; rm -rf "$work"' EXIT
clone=$work/clone
git clone -q --no-local --no-checkout "$root" "$clone"
git -C "$clone" -c advice.detachedHead=false checkout -q "$commit"
say "commit ${commit:0:12}: $(git -C "$clone" log -1 --format=%s | cut -c1-90)"

mkdir -p "$cache/apt-archives/partial" "$cache/npm"
mounts=(-v "$clone:$clone" -v "$cache/apt-archives:/var/cache/apt/archives" -v "$cache/npm:/root/.npm")
# Certificate authorities that this machine's administrator added (a proxy that inspects TLS, a
# company CA) belong to the network, not to Trainyard: a new machine on this network has them too.
prelude=""
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mounts+=(-v /usr/local/share/ca-certificates:/usr/local/share/ca-certificates:ro)
  prelude='update-ca-certificates >/dev/null 2>&1; '
fi
if [[ $mode == --full ]]; then
  sock=/var/run/docker.sock
  [[ -S $sock ]] || { echo "FAIL: --full needs the host's Docker engine at $sock" >&2; exit 1; }
  mounts+=(-v "$sock:$sock")
  cmd='bash .ci/main'
else
  cmd='bash .ci/main --configure-only && bash .ci/test --configure-only'
fi

say "running '$cmd' in a brand-new Debian 12 container (log: $log)"
start=$SECONDS
status=0
docker run --rm --network host "${mounts[@]}" -w "$clone" "$image" bash -c "$prelude$cmd" >"$log" 2>&1 || status=$?
elapsed=$((SECONDS - start))

if [[ $status -eq 0 ]]; then
  tail -n 4 "$log"
  say "ok: '$cmd' succeeded on a brand-new Debian 12 in ${elapsed}s"
  exit 0
fi

# Name what was missing: CMake packages, pkg-config modules, programs and apt packages, each with
# the Debian package that holds it on this machine, where this machine has it.
echo "---- last lines of $log ----"
tail -n 25 "$log"
echo "----"
flat=$(tr -s ' \n' '  ' <"$log")
owner() { dpkg -S "$1" 2>/dev/null | head -1 | cut -d: -f1; }
report() { # WHAT PATH-PATTERN-FOR-DPKG
  local pkg
  pkg=$(owner "$2" || true)
  if [[ -n $pkg ]]; then echo "missing: $1 (Debian package '$pkg' on this machine: add it to .ci/install-deps)"; else echo "missing: $1"; fi
}
{
  # A package that was found but lacked a dependency names the dependency: report the root cause.
  names=$(grep -oE 'dependency [A-Za-z0-9_]+ could not be found' <<<"$flat" | cut -d' ' -f2 | sort -u)
  [[ -n $names ]] || names=$(grep -oE 'Could NOT find [A-Za-z0-9_+-]+|Failed to find required Qt component "[A-Za-z0-9]+"' <<<"$flat" |
    sed -E 's/Could NOT find //; s/.*component "([^"]+)"/Qt6\1/' | sort -u)
  while IFS= read -r name; do
    [[ -n $name ]] && report "CMake package $name" "*/cmake/$name/*"
  done <<<"$names"
  grep -oE "No package '[^']+' found" <<<"$flat" | sed -E "s/No package '([^']+)'.*/\1/" | sort -u |
    while IFS= read -r name; do report "pkg-config module $name" "*/pkgconfig/$name.pc"; done
  grep -oE 'need the program [A-Za-z0-9_.+-]+ \(Debian package [A-Za-z0-9_.+-]+\)|Unable to locate package [A-Za-z0-9_.+-]+|command not found: [A-Za-z0-9_.+-]+' <<<"$flat" | sort -u |
    sed 's/^/missing: /'
} || true
echo "FAIL: '$cmd' failed on a brand-new Debian 12 after ${elapsed}s (exit $status; log: $log)"
exit 1
