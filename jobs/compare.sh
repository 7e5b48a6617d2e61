#!/usr/bin/env bash
# The cold-start comparison (org.aldi.jobs.CompareJob): every row of aldi.compare.rows (ALDI, the baselines, the
# ablations) for every seed of aldi.compare.seeds, one backbone per seed shared by the rows, each model evaluated
# under every protocol of aldi.compare.max-users; writes comparison.{md,json} and figure3/ into aldi.compare.out.
# Resumable: run it again after an interruption and it skips what is complete.
#   jobs/compare.sh                         # the paper's CiteULike split (conf/comparison-citeulike-a-paper-split.conf)
#   jobs/compare.sh --conf FILE... [--set key=value]...
# Set DRY_RUN=1 to print the command instead of running it.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(--conf conf/local.conf --conf conf/citeulike-a.conf --conf conf/citeulike-a-paper-split.conf
    --conf conf/comparison-citeulike-a-paper-split.conf)
fi
cmd=(mvn -q compile exec:exec -Dexec.mainClass=org.aldi.jobs.CompareJob "-Dexec.args=${args[*]}")
if [ "${DRY_RUN:-0}" = 1 ]; then
  printf '%q ' "${cmd[@]}"; echo
else
  exec "${cmd[@]}"
fi
