#!/usr/bin/env bash
# Submit a sharded buffersim simulation to Slurm: a job array with one task per shard, and a
# merge job that starts when every task has succeeded.
#
#   cluster/slurm/submit.sh SCENARIO RUNS SEED SHARDS OUT BUFFERSIM [COMMAND [ARG...]]
#
#   SCENARIO   the scenario file
#   RUNS SEED  the runs and master seed; the merged result equals one machine's
#              `buffersim run SCENARIO --runs RUNS --seed SEED`
#   SHARDS     how many array tasks to split the runs into; a shard is a whole number of the
#              engine's chunks of 64 runs, so with more shards than chunks some have no runs
#   OUT        the results folder; shards write OUT/parts/shard-K, the merge writes OUT itself,
#              and Slurm's output files go to OUT/logs
#   BUFFERSIM  the buffersim binary
#   COMMAND    run (the default), compare or sweep; ARGs go to it, e.g. sweep's --vary
#
# SCENARIO, OUT and BUFFERSIM must be on a file system the compute nodes share; they are made
# absolute here, so the jobs do not depend on the folder they start in. Choose a partition,
# account or time limit as for any job, with SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT
# and the like in the environment; more CPUs per shard with SBATCH_CPUS_PER_TASK (each shard
# runs that many threads).
#
# Prints the two job ids:
#   shards 1234 (array 1-8)
#   merge 1235 (after every shard succeeds)
# Watch them with `squeue -j 1234,1235`; the results are in OUT when the merge job is done.
set -euo pipefail

usage="usage: $0 SCENARIO RUNS SEED SHARDS OUT BUFFERSIM [COMMAND [ARG...]]"
[ $# -ge 6 ] || { echo "$usage" >&2; exit 2; }
scenario=$1 runs=$2 seed=$3 shards=$4 out=$5 buffersim=$6
command=${7:-run}
shift $(($# < 7 ? $# : 7))

bad() { echo "$1" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || bad "RUNS must be a positive whole number (got '$runs')"
[[ $seed =~ ^[0-9]+$ ]] || bad "SEED must be a whole number (got '$seed')"
[[ $shards =~ ^[1-9][0-9]*$ ]] || bad "SHARDS must be a positive whole number (got '$shards')"
[ -f "$scenario" ] || bad "no scenario file '$scenario'"
[ -x "$buffersim" ] || bad "'$buffersim' is not an executable buffersim binary"
case $command in
    run | compare | sweep) ;;
    *) bad "COMMAND must be run, compare or sweep (got '$command')" ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
scenario=$(realpath "$scenario")
buffersim=$(realpath "$buffersim")
mkdir -p "$out/logs" "$out/parts"
out=$(realpath "$out")

# The array: task K runs shard K/SHARDS. --parsable prints just the job id (and ";cluster" on a
# multi-cluster site, cut off here). %a in the output file name is the task's index.
shards_job=$(sbatch --parsable --array="1-$shards" --output="$out/logs/shard-%a.out" \
    "$here/buffersim-shards.sbatch" "$buffersim" "$shards" "$out" "$command" "$scenario" \
    --runs "$runs" --seed "$seed" "$@")
shards_job=${shards_job%%;*}

# The merge: afterok waits for every task of the array to end with exit code 0. If one fails,
# --kill-on-invalid-dep=yes cancels the merge rather than leaving it pending for ever.
merge_job=$(sbatch --parsable --dependency="afterok:$shards_job" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge.out" \
    "$here/buffersim-merge.sbatch" "$buffersim" "$shards" "$out")
merge_job=${merge_job%%;*}

echo "shards $shards_job (array 1-$shards)"
echo "merge $merge_job (after every shard succeeds)"
