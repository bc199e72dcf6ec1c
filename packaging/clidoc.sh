#!/usr/bin/env bash
# The CLI reference, generated from the program's own --help so it never drifts:
#   clidoc.sh man TRAINYARD_EXE VERSION > trainyard.1       (the man page)
#   clidoc.sh markdown TRAINYARD_EXE > docs/cli.md          (the README's CLI reference)
set -euo pipefail
format=$1
exe=$2
version=${3:-}
export QT_QPA_PLATFORM=offscreen

subcommands() {
  "$exe" --help | awk '/^Subcommands:/ {on=1; next} /^$/ {on=0} on && $1 != "open" {print $1}'
}

if [ "$format" = markdown ]; then
  echo "# Command-line reference"
  echo
  echo "Generated from \`trainyard --help\` and each subcommand's \`--help\` by \`packaging/clidoc.sh\`;"
  echo "a test fails when this file and the program disagree."
  echo
  echo '```'
  "$exe" --help
  echo '```'
  for c in $(subcommands) open; do
    echo
    echo "## trainyard $c"
    echo
    echo '```'
    "$exe" "$c" --help
    echo '```'
  done
  exit 0
fi

# roff: escape backslashes, and leading dots or quotes that roff would take as requests.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\./\\\\\\&./" -e "s/^'/\\\\\\&'/"; }
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
cat <<HEAD
.TH TRAINYARD 1 "$date" "trainyard $version" "User Commands"
.SH NAME
trainyard \\- a workbench for ML training pipelines written as .gitlab-ci.yml
.SH SYNOPSIS
.B trainyard
.RI [ SUBCOMMAND ] " " [ options ]
.br
.B trainyard open
.RB [ \\-\\-run ]
.RI [ DIR ]
.SH DESCRIPTION
Without a subcommand, trainyard opens the workbench window: compose a pipeline visually, run it
on the local Docker engine and GPUs, compare runs and trace every artifact. With a subcommand it
runs headless and needs no display.
.PP
.nf
HEAD
"$exe" --help | roff
echo ".fi"
echo ".SH SUBCOMMANDS"
for c in $(subcommands) open; do
  echo ".SS trainyard $c"
  echo ".nf"
  "$exe" "$c" --help | roff
  echo ".fi"
done
cat <<'TAIL'
.SH ENVIRONMENT
.TP
.B DOCKER_HOST
The Docker (or Podman) Engine API endpoint: unix:///path/to.sock or tcp://host:port. Default:
unix:///var/run/docker.sock.
.TP
.B TRAINYARD_EXAMPLES_DIR
Where "Try the demo" finds the bundled examples (default: /usr/share/trainyard/examples).
.SH FILES
.TP
.I PROJECT/.gitlab-ci.yml
The pipeline; Trainyard's own settings live under its hidden top-level key .trainyard:.
.TP
.I PROJECT/.trainyard/
Run records, job logs, the content-addressed artifact store and the lineage database.
.TP
.I PROJECT/.trainyard/secrets.env
Secret variables (KEY=value lines), masked in every log and never recorded.
.SH SEE ALSO
.BR docker (1),
.BR nvidia-smi (1)
TAIL
