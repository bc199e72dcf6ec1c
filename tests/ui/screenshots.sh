#!/usr/bin/env bash
# Screenshots of the window under Xvfb on the offline demo: the default layout at 1024×700 and
# at 1920×1080, the pipeline canvas, a running
# pipeline (cards live, the manual export waiting with its Approve button), the run console, two
# training runs with different learning rates compared (charts and table), the lineage of the exported model and
# its release review with a sign-off. The README shows them.
#
#   bash tests/ui/screenshots.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, docs/screenshots)
#
# Needs xvfb, imagemagick and xdotool (`bash .ci/install-deps --test` installs them), the built app and
# demo trainer, and a Docker engine for the run (`bash .ci/start-docker`).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath "${1:-build}")
out=$(realpath -m "${2:-docs/screenshots}")
app="$build/app/trainyard"
[ -x "$app" ] || { echo "screenshots: $app is not built" >&2; exit 2; }
[ -x resources/examples/offline-demo/image/trainer ] || { echo "screenshots: build the demo trainer first" >&2; exit 2; }
mkdir -p "$out"

# The demo as a new hire gets it: its own git repository, outside the source tree.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo="$work/offline-demo"
cp -a resources/examples/offline-demo "$demo"
rm -rf "$demo/.trainyard"
(cd "$demo" && printf '.trainyard/\n' >> .gitignore && git init -q -b main && git add -A &&
  git -c user.name=demo -c user.email=demo@example.com commit -qm "offline demo")
export XDG_CONFIG_HOME="$work/config" # fresh settings: default layout, no recent projects

export APP="$app" DEMO="$demo" OUT="$out"

# The default layout on a small screen and on a large one (each a first start: fresh settings),
# with the pipeline's settings in the inspector.
for size in 1024x700 1920x1080; do
  XDG_CONFIG_HOME="$work/config-$size" xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
    "$APP" open "$DEMO" & pid=$!
    sleep 4; import -window root "$OUT/window-'$size'.png"; echo "screenshots: $OUT/window-'$size'.png"
    kill $pid; wait $pid 2>/dev/null || true'
done
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  shoot() { import -window root "$OUT/$1"; echo "screenshots: $OUT/$1"; }
  "$APP" open "$DEMO" & pid=$!
  sleep 4
  xdotool mousemove 330 140 click 1 # select the train card: the Job dock shows it
  sleep 1; shoot window-canvas.png
  kill $pid; wait $pid 2>/dev/null || true

  # Two complete runs from the command line, learning rate 0.1 and then 0.01 (committed), compared.
  "$APP" run -C "$DEMO" --approve export > "$OUT/.run1.log" 2>&1 || { cat "$OUT/.run1.log"; exit 1; }
  "$APP" annotate -C "$DEMO" "#1" --name baseline --tag sweep > /dev/null # labels it in Compare
  sed -i "s/LEARNING_RATE: \"0.1\"/LEARNING_RATE: \"0.01\"/" "$DEMO/.gitlab-ci.yml"
  (cd "$DEMO" && git -c user.name=demo -c user.email=demo@example.com commit -qam "Learning rate 0.01")
  "$APP" run -C "$DEMO" --approve export > "$OUT/.run2.log" 2>&1 || { cat "$OUT/.run2.log"; exit 1; }
  rm -f "$OUT/.run1.log" "$OUT/.run2.log"
  "$APP" open --view compare "$DEMO" & pid=$!
  sleep 5; shoot window-compare.png
  xdotool mousemove 330 138 click 1 # the Table tab: parameters, metrics.json beside the scalars
  sleep 1; shoot window-compare-table.png
  kill $pid; wait $pid 2>/dev/null || true

  # The exported model: its lineage, then its release review after a lead signed it off.
  "$APP" review -C "$DEMO" export/model.tar --approve --reviewer "A. Lead" --comment "Accuracy gate passed; data v1." > /dev/null || true
  "$APP" open --artifact export/model.tar "$DEMO" & pid=$!
  sleep 5; shoot window-lineage.png
  kill $pid; wait $pid 2>/dev/null || true
  "$APP" open --artifact export/model.tar --review "$DEMO" & pid=$!
  sleep 5; shoot window-review.png
  kill $pid; wait $pid 2>/dev/null || true

  # Last, a run from the window: cards live, then the manual export waiting for its approval.
  "$APP" open --run "$DEMO" & pid=$!
  sleep 2.5; shoot window-running.png
  # Unit tests, training and evaluation take about ten seconds; then export waits for approval.
  sleep 14; shoot window-console.png
  kill $pid; wait $pid 2>/dev/null || true
'
