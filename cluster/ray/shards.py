"""A sharded buffersim simulation on a Ray cluster: one Ray task per shard, then the merge.

    python cluster/ray/shards.py SCENARIO --runs 100000 --seed 7 --shards 16 --out results/big

Each task runs `buffersim --quiet run SCENARIO --runs R --seed S --shard K/N --out
OUT/parts/shard-K` on whichever node Ray picks, and this script then runs `buffersim merge` on
the parts, which writes into OUT what `buffersim run SCENARIO --runs R --seed S --out OUT` would
have written on one machine. The buffersim binary (--buffersim, default `buffersim` on the PATH)
must exist on every node, and SCENARIO and OUT must be on a file system they all share.

When shards fail, the script names them and stops before the merge; run it again with
`--only K,...` to run just those shards (a shard run again writes the same file), then it merges
all N. Connects to a running cluster (`ray start` / RAY_ADDRESS), or starts Ray on this machine.
"""

import argparse
import socket
import subprocess
import sys
from pathlib import Path

import ray


@ray.remote
def shard(buffersim, scenario, runs, seed, k, n, threads, out):
    """Shard k of n; returns its output folder. Raises with buffersim's error message."""
    part = f"{out}/parts/shard-{k}"
    done = subprocess.run(
        [buffersim, "--quiet", "run", scenario, "--runs", str(runs), "--seed", str(seed),
         "--shard", f"{k}/{n}", "--threads", str(threads), "--out", part],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"shard {k}/{n} on {socket.gethostname()}: {done.stderr.strip()}")
    return part


def main():
    cli = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_argument("scenario", type=Path)
    cli.add_argument("--runs", type=int, required=True)
    cli.add_argument("--seed", type=int, required=True)
    cli.add_argument("--shards", type=int, required=True)
    cli.add_argument("--out", type=Path, required=True)
    cli.add_argument("--buffersim", default="buffersim")
    cli.add_argument("--threads", type=int, default=1, help="threads (and Ray CPUs) per shard")
    cli.add_argument("--only", help="run only these shards, e.g. 2,5; merge all of them after")
    args = cli.parse_args()

    scenario, out = str(args.scenario.resolve()), str(args.out.resolve())
    n = args.shards
    todo = [int(k) for k in args.only.split(",")] if args.only else range(1, n + 1)

    ray.init()
    # max_retries: a shard whose node died is run again elsewhere; a shard that buffersim
    # itself failed is not retried (the same inputs would fail the same way).
    task = shard.options(num_cpus=args.threads, max_retries=2)
    refs = {k: task.remote(args.buffersim, scenario, args.runs, args.seed, k, n, args.threads, out)
            for k in todo}
    failed = []
    for k, ref in refs.items():
        try:
            ray.get(ref)
        except ray.exceptions.RayError as error:
            failed.append(k)
            print(f"shard {k}/{n} failed: {error}", file=sys.stderr)
    if failed:
        again = ",".join(map(str, failed))
        sys.exit(f"{len(failed)} of {n} shards failed; run them again with --only {again}")

    # merge checks that the parts fit together and names missing or doubled run ranges.
    parts = [f"{out}/parts/shard-{k}" for k in range(1, n + 1)]
    subprocess.run([args.buffersim, "merge", *parts, "--out", out], check=True)


if __name__ == "__main__":
    main()
