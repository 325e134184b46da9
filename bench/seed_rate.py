"""`make seed N=..`'s rate on `make dev`, an earlier commit against the working tree, in one run.

Run: .venv/bin/python -m bench.seed_rate [--before REF] [--count 500] [--rounds 3] [--json FILE]

For each round, each variant (alternating which goes first) starts its own `make dev` (the variant's
code, its own virtualenv, fresh state, free ports), runs its own `seed` for N tasks through the API as
`make seed` does, and stops. The seed's summary line gives the tasks created and the updates made and
the time: tasks/s, and writes/s (creates and updates, each one API write). The stack's asynchronous
work (the stream, the bus, the consumers, the indexer, the workflow) runs meanwhile on the same cores,
so the rate is the stack's, not the API handler's alone.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench._baseline import checkout, commit_of
from bench._common import REPO_ROOT, format_table, report_machine
from tests.support.harness import free_port

# The commit before issue 16's changes: "today's commit" of the issue.
BEFORE = "728a00d"
READY_SECONDS = 120
SUMMARY = re.compile(r"created (\d+) tasks .* and made (\d+) updates in ([\d.]+) s")


def _seed_once(tree: Path, count: int) -> dict[str, float]:
    python = tree / ".venv" / "bin" / "python"
    with tempfile.TemporaryDirectory() as state:
        env = {
            **{key: value for key, value in os.environ.items() if key != "AWS_ENDPOINT_URL"},
            "TASKS_LOCAL_STATE": state,
            "API_PORT": str(free_port()),
            "AWS_PORT": str(free_port()),
        }
        log = Path(state) / "dev.log"
        with log.open("w") as out:
            dev = subprocess.Popen(
                [str(python), "-m", "tasks_local", "dev"],
                cwd=tree,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + READY_SECONDS
            while "ready:" not in log.read_text():
                if dev.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stack of {tree} did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.1)
            seeded = subprocess.run(
                [str(python), "-m", "tasks_local", "seed", "--count", str(count), "--user", "alice"],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            os.killpg(dev.pid, signal.SIGTERM)
            dev.wait(timeout=30)
    found = SUMMARY.search(seeded.stdout)
    if not found:
        raise RuntimeError(f"no summary line in the seed's output:\n{seeded.stdout[-1000:]}")
    tasks, updates, seconds = int(found[1]), int(found[2]), float(found[3])
    return {"tasks_per_s": tasks / seconds, "writes_per_s": (tasks + updates) / seconds, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=BEFORE, help=f"the earlier commit (default {BEFORE})")
    parser.add_argument("--count", type=int, default=500, help="tasks per seed (N; default 500)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each variant once (default 3)")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    variants = {
        f"before ({commit_of(args.before)[:8]})": checkout(args.before),
        "after (working tree)": REPO_ROOT,
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for round_number in range(args.rounds):
        order = list(variants) if round_number % 2 == 0 else list(reversed(variants))
        for name in order:
            result = _seed_once(variants[name], args.count)
            runs[name].append(result)
            print(f"round {round_number + 1}: {name}: {result['tasks_per_s']:.1f} tasks/s", flush=True)
    medians = {
        name: {key: statistics.median(run[key] for run in results) for key in results[0]}
        for name, results in runs.items()
    }
    before, after = (medians[name] for name in variants)
    rows = [[name, m["tasks_per_s"], m["writes_per_s"], m["seconds"]] for name, m in medians.items()]
    rows.append(["after / before", after["tasks_per_s"] / before["tasks_per_s"], None, None])
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
