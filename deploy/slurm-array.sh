#!/bin/bash
# Train every series in $DATA on a Slurm job array of 8 tasks, each taking
# its own stable shard of the files, all writing to $OUT on a shared file
# system.
#
#   sbatch deploy/slurm-array.sh
#   lstmfc summary "$OUT"          # after the array has finished
#
# Slurm sets SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_MIN; lstmfc takes the
# shard index as their difference, so --array=1-8 works as well as 0-7.
# --shards must equal the number of tasks. Resubmitting (or requeueing a
# failed task) skips the series already finished.
#SBATCH --job-name=lstmfc-train
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=lstmfc-%A_%a.log
set -euo pipefail
LSTMFC=${LSTMFC:-$HOME/bin/lstmfc} # CGO_ENABLED=0 go build -o lstmfc ./cmd/lstmfc
DATA=${DATA:-/shared/series}
OUT=${OUT:-/shared/out}
exec "$LSTMFC" train --shards 8 --jobs "${SLURM_CPUS_PER_TASK:-0}" --out-dir "$OUT" "$DATA"
