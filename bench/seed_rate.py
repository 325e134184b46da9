"""`make seed N=..`'s rate on `make dev`, two variants in one run.

Run: .venv/bin/python -m bench.seed_rate [--before REF] [--count 500] [--rounds 3] [--json FILE]
     .venv/bin/python -m bench.seed_rate --compare persistence [--count 500] [--rounds 3]

The variants are an earlier commit and the working tree (the default: how much faster the stack got),
or, with `--compare persistence`, the working tree keeping its state (the default of `make dev`: every
change journaled to .local/) and not keeping it (LOCAL_KEEP_STATE=0): what keeping the state costs.

For each round, each variant (alternating which goes first) starts its own `make dev` (the variant's
code, its own virtualenv, a new state directory, free ports), runs its own `seed` for N tasks through
the API as `make seed` does, and stops. The seed's summary line gives the tasks created and the updates
made and the time: tasks/s, and writes/s (creates and updates, each one API write). The stack's
asynchronous work (the stream, the bus, the consumers, the indexer, the workflow) runs meanwhile on the
same cores, so the rate is the stack's, not the API handler's alone.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from pathlib import Path

from bench._baseline import checkout, commit_of
from bench._common import REPO_ROOT, format_table, report_machine
from bench._dev_stack import dev_stack, stack_environment

# The commit before issue 16's changes: "today's commit" of the issue.
BEFORE = "728a00d"
SUMMARY = re.compile(r"created (\d+) tasks .* and made (\d+) updates in ([\d.]+) s")


def _seed_once(tree: Path, settings: dict[str, str], count: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as state,
        dev_stack(tree, stack_environment(Path(state), **settings)) as stack,
    ):
        seeded = stack.tasks_local("seed", "--count", str(count), "--user", "alice").stdout
    found = SUMMARY.search(seeded)
    if not found:
        raise RuntimeError(f"no summary line in the seed's output:\n{seeded[-1000:]}")
    tasks, updates, seconds = int(found[1]), int(found[2]), float(found[3])
    return {"tasks_per_s": tasks / seconds, "writes_per_s": (tasks + updates) / seconds, "seconds": seconds}


def _variants(args: argparse.Namespace) -> dict[str, tuple[Path, dict[str, str]]]:
    """Each variant's tree and the settings its stack runs with."""
    if args.compare == "persistence":
        return {
            "state not kept (LOCAL_KEEP_STATE=0)": (REPO_ROOT, {"LOCAL_KEEP_STATE": "0"}),
            "state kept (the default)": (REPO_ROOT, {"LOCAL_KEEP_STATE": "1"}),
        }
    return {
        f"before ({commit_of(args.before)[:8]})": (checkout(args.before), {}),
        "after (working tree)": (REPO_ROOT, {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compare", choices=("commits", "persistence"), default="commits")
    parser.add_argument("--before", default=BEFORE, help=f"the earlier commit (default {BEFORE})")
    parser.add_argument("--count", type=int, default=500, help="tasks per seed (N; default 500)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each variant once (default 3)")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    variants = _variants(args)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for round_number in range(args.rounds):
        order = list(variants) if round_number % 2 == 0 else list(reversed(variants))
        for name in order:
            result = _seed_once(*variants[name], args.count)
            runs[name].append(result)
            print(f"round {round_number + 1}: {name}: {result['tasks_per_s']:.1f} tasks/s", flush=True)
    medians = {
        name: {key: statistics.median(run[key] for run in results) for key in results[0]}
        for name, results in runs.items()
    }
    first, second = (medians[name] for name in variants)
    rows = [[name, m["tasks_per_s"], m["writes_per_s"], m["seconds"]] for name, m in medians.items()]
    rows.append(["second / first (tasks/s)", second["tasks_per_s"] / first["tasks_per_s"], None, None])
    print(
        format_table(
            f"make seed N={args.count}: median of {args.rounds} rounds, interleaved",
            ["variant", "tasks/s", "writes/s", "seconds"],
            rows,
        )
    )
    report_machine(args.json, runs=runs, medians=medians)


if __name__ == "__main__":
    main()
