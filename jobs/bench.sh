#!/usr/bin/env bash
# Benchmark: runs the whole pipeline under measurement (per stage wall time, rows written, peak memory;
# distillation triples/s; full ranking of all users beside the bare matrix product) and writes
# docs/bench/<name>/bench.{json,md}.
#   jobs/bench.sh citeulike-a      # the embedded CiteULike-a data
#   jobs/bench.sh xing-synthetic   # generates the XING-shaped data first (once), then runs on it
# Extra arguments are passed on (for example --set distill.trainer=\"parameter-averaging\").
# Set DRY_RUN=1 to print the commands instead of running them.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: jobs/bench.sh citeulike-a|xing-synthetic [--set key=value]...}
shift
run() { if [ "${DRY_RUN:-0}" = 1 ]; then printf '%q ' "$@"; echo; else "$@"; fi; }
confs="--conf conf/local.conf --conf conf/$name.conf"
if [ "$name" = xing-synthetic ] && [ ! -f target/data/xing-synthetic/source/_aldi_meta.json ]; then
  run mvn -q compile exec:exec -Dexec.mainClass=org.aldi.jobs.GenerateJob "-Dexec.args=$confs"
fi
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit+local-changes"; fi
run mvn -q compile exec:exec -Dexec.mainClass=org.aldi.jobs.BenchJob \
  "-Dexec.args=--bench-name $name --bench-out docs/bench/$name --bench-commit $commit $confs --set run.dir=\"target/runs/bench-$name\" $*"
