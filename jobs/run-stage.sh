#!/usr/bin/env bash
# Runs one stage (or the whole pipeline) on this machine, Spark in local mode, with Java 17's flags.
#   jobs/run-stage.sh STAGE [--conf FILE]... [--set key=value]...
# STAGE: ingest | split | sample | backbone | distill | evaluate | report | pipeline | embed | recommend | export
# (embed, recommend and export are the daily jobs on a trained run folder; see the README's "Daily use")
# Without --conf it uses conf/local.conf and conf/citeulike-a.conf (the embedded data).
# Set DRY_RUN=1 to print the command instead of running it.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:?usage: jobs/run-stage.sh STAGE [--conf FILE]... [--set key=value]...}
shift
source jobs/stages.sh
class=$(stage_class "$stage")
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--conf conf/local.conf --conf conf/citeulike-a.conf)
fi
cmd=(mvn -q compile exec:exec "-Dexec.mainClass=$class" "-Dexec.args=${args[*]}")
if [ "${DRY_RUN:-0}" = 1 ]; then
  printf '%q ' "${cmd[@]}"; echo
else
  exec "${cmd[@]}"
fi
