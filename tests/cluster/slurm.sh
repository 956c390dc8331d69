#!/usr/bin/env bash
# The Slurm recipe (cluster/slurm/) run for real on this one machine: a throwaway Slurm
# controller and node daemon, a sharded run of scenarios/kanban-vs-jic.toml submitted with
# cluster/slurm/submit.sh, and the merged summary.json compared byte for byte with one plain
# `buffersim run` of the same runs and seed; then shard 2 run again and merged again with the
# commands the README gives for a failed shard, which must change nothing.
#
#   tests/cluster/slurm.sh BUFFERSIM_BIN
#
# Needs root (the daemons run as root, and apt-get installs slurm-wlm and munge when missing).
# The last line is `slurm: 1 passed, 0 failed` or `slurm: 0 passed, 1 failed`, which .ci/run
# adds to its totals; when Slurm cannot be had it is `slurm: skipped — <reason>` and the exit
# code is 0. Everything lives in one temporary folder, and every daemon started here is stopped
# on exit. About 20 seconds once the packages are installed; bounded by the timeouts below.
#
# What it took to run Slurm in this container (Debian 12, slurm-wlm 22.05, munge 0.5.15, gVisor):
# - No systemd: installing the packages cannot start their services (policy-rc.d denies it),
#   and nothing here needs them; munged, slurmctld and slurmd are started by hand, in the
#   foreground (-F, -D) as background jobs of this script, so their process ids are known.
# - munged refuses a socket in a folder others cannot enter ("Socket is inaccessible: execute
#   permissions for all required"), and mktemp -d makes mode 0700: the folder is opened to 0755.
#   The key file must stay 0600. munged runs as root without complaint.
# - AuthInfo=socket=… points the daemons and the client commands (sbatch, squeue, scontrol) at
#   this munged; SLURM_CONF points the clients at this slurm.conf.
# - No cgroups: proctrack/linuxproc, task/none and no cgroup.conf. select/cons_tres with CR_Core
#   works; the node then takes one shard per core and queues the rest.
# - Memory is not a consumable resource (CR_Core), so RealMemory only has to be at most what the
#   machine has: more and slurmd drains the node for "Low RealMemory".
# - Listing only CPUs for the node makes slurmd log "Node reconfigured socket/core boundaries";
#   harmless. So are the mpi/pmix errors (no PMIx library installed; MpiDefault=none).
#   MailProg is set to /bin/true, or slurmctld logs "Configured MailProg is invalid".
# - No slurmdbd, so sacct only says "Slurm accounting storage is disabled": the jobs' states are
#   read with scontrol, and MinJobAge keeps finished jobs visible to it for ten minutes.
# - A fresh state folder numbers jobs from 1, and an array's last task may carry the array's own
#   job id (JobId=1 ArrayTaskId=3): look tasks up by the array's id, not by consecutive ids.
# - The dependent merge job waits for ever (Reason=DependencyNeverSatisfied) when a shard fails,
#   unless it was submitted with --kill-on-invalid-dep=yes, as submit.sh does.
# - The controller's and the node's addresses are given as 127.0.0.1, so the test does not
#   depend on the host name resolving (here it does, through /etc/hosts). slurmd finds its own
#   NodeName by the short host name.
# - The default ports 6817/6818 would clash with a real Slurm or a second copy of this test:
#   free ports are picked from this script's process id.
set -uo pipefail

result() { # the closing line, counted by .ci/run
    if [ "$1" = pass ]; then
        echo "slurm: 1 passed, 0 failed"
    else
        echo "slurm: 0 passed, 1 failed"
    fi
}
skip() {
    echo "slurm: skipped — $1"
    exit 0
}

[ $# -eq 1 ] || { echo "usage: $0 BUFFERSIM_BIN" >&2; exit 2; }
[ -x "$1" ] || { echo "'$1' is not an executable buffersim binary" >&2; result fail; exit 1; }
buffersim=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
started=$SECONDS

[ "$(id -u)" -eq 0 ] || skip "needs root to install and run the Slurm and munge daemons"

# The packages, when missing. apt-get update once first; a failure of either means no Slurm
# here (no network, no apt), which is a skip, not a failure.
needed=(munged munge slurmctld slurmd sbatch squeue sinfo scontrol scancel)
missing() { for c in "${needed[@]}"; do command -v "$c" >/dev/null || return 0; done; return 1; }
if missing; then
    command -v apt-get >/dev/null || skip "slurm-wlm and munge are missing and there is no apt-get"
    echo "slurm: installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 60 apt-get update -qq >/dev/null 2>&1; then
        skip "apt-get update failed, so slurm-wlm and munge cannot be installed"
    fi
    if ! timeout 120 apt-get install -y -qq --no-install-recommends slurm-wlm munge \
        >/dev/null 2>&1; then
        skip "apt-get install slurm-wlm munge failed"
    fi
    missing && skip "slurm-wlm and munge were installed, but a command of theirs is still missing"
fi

tmp=$(mktemp -d /tmp/buffersim-slurm.XXXXXX)
chmod 755 "$tmp" # munged's socket folder must be enterable by all
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log"
export SLURM_CONF=$tmp/slurm.conf
pids=()

stop() {
    # Jobs first (their slurmstepd processes belong to slurmd), then the daemons, each by the
    # process id this script started it with.
    if [ -f "$SLURM_CONF" ] && [ ${#pids[@]} -gt 1 ]; then
        scancel --user=root >/dev/null 2>&1
        for _ in $(seq 20); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
        scontrol shutdown >/dev/null 2>&1
    fi
    for pid in "${pids[@]}"; do
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap stop EXIT

fail() {
    echo "slurm: FAILED: $1" >&2
    # The daemons' log files, then what they printed (the same lines, save for errors before
    # the log file was opened, such as a bad slurm.conf), then the jobs' output.
    for f in "$tmp"/log/*.log "$tmp"/log/*.out "$tmp"/out/logs/*; do
        [ -s "$f" ] || continue
        echo "--- last lines of ${f#"$tmp"/}" >&2
        case $f in *.log) tail -n 25 "$f" ;; *) tail -n 8 "$f" ;; esac >&2
    done
    result fail
    exit 1
}

# munge: a fresh key for this test alone, and munged on a socket in the temporary folder.
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 600 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged -F --key-file="$tmp/munge/munge.key" --socket="$socket" \
    --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
    --log-file="$tmp/log/munged.log" >>"$tmp/log/munged.out" 2>&1 &
pids+=($!)
munge_works() { munge -n -S "$socket" 2>/dev/null | unmunge -S "$socket" >/dev/null 2>&1; }
for _ in $(seq 50); do munge_works && break; sleep 0.2; done
munge_works || fail "munged did not start"

# Two free ports next to each other, chosen from the process id (a connection that succeeds
# means the port is taken).
taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + ($$ % 10000) * 2))
while taken "$port" || taken $((port + 1)); do port=$((port + 2)); done

host=$(hostname -s)
memory=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
memory=$((${memory:-1024} < 1024 ? ${memory:-1024} : 1024))
cat >"$SLURM_CONF" <<EOF
# A one-machine cluster for tests/cluster/slurm.sh.
ClusterName=buffersim-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)

# The node is ready when sinfo shows it idle; give up after a minute.
state=
for _ in $(seq 120); do
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || fail "a daemon exited at start-up"
    done
    state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || fail "node $host not idle after a minute (state '${state:-none}')"
echo "slurm: node $host idle with $(nproc) CPUs after $((SECONDS - started)) s"

# The recipe itself: 300 runs in 3 shards, with a seed other than the scenario's. 300 runs are
# 5 chunks of 64, the last one short, so the shards are uneven: runs 0-63, 64-191 and 192-299.
scenario=$repo/scenarios/kanban-vs-jic.toml
runs=300 seed=11 shards=3
submitted=$(bash "$repo/cluster/slurm/submit.sh" "$scenario" "$runs" "$seed" "$shards" \
    "$tmp/out" "$buffersim" 2>&1) || fail "submit.sh failed: $submitted"
while read -r line; do echo "slurm: submitted $line"; done <<<"$submitted"
shards_job=$(awk '$1 == "shards" { print $2 }' <<<"$submitted")
merge_job=$(awk '$1 == "merge" { print $2 }' <<<"$submitted")
if [ -z "$shards_job" ] || [ -z "$merge_job" ]; then fail "no job ids in submit.sh's output"; fi

# The state of a job, or of each task of an array job, one a line (sacct has no data here).
states() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
# Wait for a job to end, two minutes at most; prints its last state.
wait_for() {
    local state=
    for _ in $(seq 240); do
        state=$(states "$1")
        case $state in
            COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;;
        esac
        sleep 0.5
    done
    echo "${state:-unknown}"
}

merge_state=$(wait_for "$merge_job")
shard_states=$(states "$shards_job" | sort | uniq -c | xargs)
echo "slurm: shards $shard_states; merge $merge_state after $((SECONDS - started)) s"
[ "$merge_state" = COMPLETED ] \
    || fail "merge job $merge_job ended $merge_state (shards: $shard_states)"
[ "$shard_states" = "$shards COMPLETED" ] || fail "not every shard completed: $shard_states"
[ -f "$tmp/out/summary.json" ] || fail "the merge job wrote no summary.json"

# The same runs and seed on one machine, in one process.
"$buffersim" --quiet run "$scenario" --runs "$runs" --seed "$seed" --out "$tmp/plain" \
    >"$tmp/log/plain.out" 2>&1 || fail "the plain run failed"
cmp "$tmp/plain/summary.json" "$tmp/out/summary.json" >&2 \
    || fail "the merged summary.json differs from the plain run's"
# Every file the plain run wrote, the merge wrote too.
for f in "$tmp"/plain/*; do
    [ -e "$tmp/out/$(basename "$f")" ] || fail "the merge wrote no $(basename "$f")"
done

echo "slurm: the merge of $shards shards wrote the plain run's summary.json" \
    "($((SECONDS - started)) s)"

# A shard run again and merged again with the commands of README "When a shard fails": the
# shard writes the same files, and the merge the same summary.json.
cp -r "$tmp/out/parts/shard-2" "$tmp/shard-2.first"
mv "$tmp/out/summary.json" "$tmp/summary.first.json"
rerun=$(sbatch --parsable --array=2 --output="$tmp/out/logs/shard-%a.out" \
    "$repo/cluster/slurm/buffersim-shards.sbatch" "$buffersim" "$shards" "$tmp/out" \
    run "$scenario" --runs "$runs" --seed "$seed" 2>&1) || fail "sbatch of shard 2 failed: $rerun"
remerge=$(sbatch --parsable --dependency="afterok:$rerun" --output="$tmp/out/logs/merge.out" \
    "$repo/cluster/slurm/buffersim-merge.sbatch" "$buffersim" "$shards" "$tmp/out" 2>&1) \
    || fail "sbatch of the merge failed: $remerge"
remerge_state=$(wait_for "$remerge")
[ "$remerge_state" = COMPLETED ] || fail "the merge after shard 2 again ended $remerge_state"
diff -r "$tmp/shard-2.first" "$tmp/out/parts/shard-2" >&2 \
    || fail "shard 2 run again wrote other files than the first time"
cmp "$tmp/summary.first.json" "$tmp/out/summary.json" >&2 \
    || fail "the merge after shard 2 ran again wrote another summary.json"
echo "slurm: shard 2 run again and merged again: the same files ($((SECONDS - started)) s)"

result pass
