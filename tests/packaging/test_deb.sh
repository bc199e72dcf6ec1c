#!/usr/bin/env bash
# Builds trainyard_<version>_amd64.deb from a build tree, installs it into this machine with dpkg
# (apt-get -f install for what is missing), runs the installed program on an installed example,
# checks what the package holds, and purges it cleanly.   Usage: test_deb.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else echo "SKIP: needs root or passwordless sudo to install a package"; exit 77; fi
fi
if dpkg -s trainyard >/dev/null 2>&1; then
  echo "SKIP: a trainyard package is installed on this machine already; not touching it"; exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"; $sudo dpkg -P trainyard >/dev/null 2>&1 || true' EXIT
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack failed"; }
deb=$(ls "$out"/trainyard_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no trainyard_<version>_amd64.deb in $out"
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# Depends, computed by dpkg-shlibdeps from the linked libraries.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libqt6widgets6 libqt6charts6 libqt6sql6-sqlite libgit2 libyaml-cpp libcurl libprotobuf libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/trainyard ./usr/lib/trainyard/trainyard-window.so ./usr/lib/trainyard/trainyard-commands.so \
            ./usr/lib/trainyard/trainyard-pipeline-commands.so \
            ./usr/lib/trainyard/libtrainyard-run.so \
            ./usr/share/applications/org.trainyard.Trainyard.desktop \
            ./usr/share/metainfo/org.trainyard.Trainyard.metainfo.xml ./usr/share/man/man1/trainyard.1.gz \
            ./usr/share/icons/hicolor/scalable/apps/org.trainyard.Trainyard.svg \
            ./usr/share/icons/hicolor/48x48/apps/org.trainyard.Trainyard.png \
            ./usr/share/trainyard/examples/offline-demo/.gitlab-ci.yml \
            ./usr/share/trainyard/examples/offline-demo/image/trainer \
            ./usr/share/doc/trainyard/README.md ./usr/share/doc/trainyard/docs/cli.md \
            ./usr/share/doc/trainyard/docs/screenshots/window-canvas.png; do
  grep -q " $path\$" <<<"$contents" || fail "the package lacks $path"
done

$sudo dpkg -i "$deb" >/dev/null 2>&1 || $sudo apt-get -f install -y -qq >/dev/null
dpkg -s trainyard >/dev/null || fail "the package did not install"
[ "$(command -v trainyard)" = /usr/bin/trainyard ] || fail "trainyard is not /usr/bin/trainyard"
/usr/bin/trainyard --version | grep -qx "trainyard $(dpkg-deb -f "$deb" Version)" || fail "--version does not match the package"
work=$(mktemp -d -p "$out")
cp -a /usr/share/trainyard/examples/offline-demo "$work/"
# validate and list live in trainyard-pipeline-commands.so, found in /usr/lib/trainyard
/usr/bin/trainyard validate -C "$work/offline-demo" || fail "validate failed on the installed example"
/usr/bin/trainyard list -C "$work/offline-demo" | grep -q '^train' || fail "list does not show the train job"
# runs lives in trainyard-commands.so, found in /usr/lib/trainyard
/usr/bin/trainyard runs --help | grep -q '^Usage: trainyard runs' || fail "runs (in the commands module) does not start"
# The window is a module the executable loads: it opens (and runs until stopped) on the
# offscreen platform; a module that cannot load makes `open` exit at once with status 1.
set +e
QT_QPA_PLATFORM=offscreen timeout 5 /usr/bin/trainyard open -C "$work/offline-demo" >"$out/open.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 124 ] || { cat "$out/open.log"; fail "the installed window did not open (exit $rc)"; }
ldd /usr/bin/trainyard | grep -q 'libQt6Widgets' && fail "the executable links Qt Widgets: the subcommands would load the GUI"
ldd /usr/bin/trainyard | grep -q 'libtrainyard-engine' && fail "the executable links the engine: scalars would load Docker's libraries"
ldd /usr/bin/trainyard | grep -qE 'libtrainyard-pipeline|libgit2' && fail "the executable links the pipeline layer: scalars would load libgit2"
zcat /usr/share/man/man1/trainyard.1.gz | grep -q '^\.SS trainyard doctor' || fail "the man page lacks a subcommand"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net /usr/share/metainfo/org.trainyard.Trainyard.metainfo.xml >/dev/null || fail "AppStream metainfo does not validate"
fi

# Purged: the package has maintainer scripts (CPack runs ldconfig for its libraries), so a plain
# remove would leave it in the "config-files" state.
$sudo dpkg -P trainyard >/dev/null
! dpkg -s trainyard >/dev/null 2>&1 || fail "the package is still installed"
[ ! -e /usr/bin/trainyard ] || fail "/usr/bin/trainyard is left behind"
[ ! -e /usr/share/trainyard ] || fail "/usr/share/trainyard is left behind"
[ ! -e /usr/lib/trainyard ] || fail "/usr/lib/trainyard is left behind"
[ ! -e /usr/share/doc/trainyard/README.md ] || fail "/usr/share/doc/trainyard is left behind"
echo "ok: built, installed, ran and removed $(basename "$deb")"
