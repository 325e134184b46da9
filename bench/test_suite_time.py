"""`make test`'s wall time, an earlier commit against the working tree, in one run; and each suite's.

Run: .venv/bin/python -m bench.test_suite_time [--before REF] [--rounds 3] [--suites N] [--json FILE]

Each round runs `make test` once in each tree (alternating which goes first), from a warm virtualenv
(each tree's own, made before the first round), and reads pytest's summary line: tests passed, failed,
errors. With --suites N, each suite is also timed in the first N rounds: `make test-<suite>` in the working
tree, and in the earlier tree what `make test` ran for that folder then (pytest on it, one process).
The machine is shared: compare the two in one run, as the median of the rounds, never across runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import time
from pathlib import Path

from bench._baseline import checkout, commit_of
from bench._common import REPO_ROOT, format_table, report_machine

BEFORE = "728a00d"  # the commit before issue 16's changes: "today's commit" of the issue
SUITES = ("unit", "integration", "contract", "e2e", "web", "local", "ops")
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def _timed(command: list[str], tree: Path) -> dict[str, float]:
    started = time.monotonic()
    run = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    counts = {kind.rstrip("s"): int(number) for number, kind in COUNTS.findall(summary)}
    if run.returncode != 0 and not counts.get("failed") and not counts.get("error"):
        raise RuntimeError(
            f"{' '.join(command)} in {tree} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        )
    return {"seconds": seconds, **counts}


def _suite_command(tree: Path, suite: str, is_before: bool) -> list[str] | None:
    if not (tree / "tests" / suite).is_dir():
        return None
    if is_before:
        return [str(tree / ".venv" / "bin" / "python"), "-m", "pytest", f"tests/{suite}"]
    return ["make", "-s", f"test-{suite}"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default=BEFORE, help=f"the earlier commit (default {BEFORE})")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of make test per tree (default 3)")
    parser.add_argument(
        "--suites", type=int, default=0, metavar="N", help="also time each suite in the first N rounds"
    )
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    before_name = f"before ({commit_of(args.before)[:8]})"
    trees = {before_name: checkout(args.before), "after (working tree)": REPO_ROOT}
    subprocess.run(["make", "-s", ".venv/.installed", ".venv/ops/.installed"], cwd=REPO_ROOT, check=True)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    suites: dict[str, dict[str, list[float]]] = {name: {suite: [] for suite in SUITES} for name in trees}
    for round_number in range(args.rounds):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for name in order:
            result = _timed(["make", "-s", "test"], trees[name])
            runs[name].append(result)
            print(f"round {round_number + 1}: {name}: make test {result}", flush=True)
            for suite in SUITES if round_number < args.suites else ():
                command = _suite_command(trees[name], suite, name == before_name)
                if command:
                    suites[name][suite].append(_timed(command, trees[name])["seconds"])
    rows = []
    for name, results in runs.items():
        seconds = statistics.median(result["seconds"] for result in results)
        rows.append([name, seconds, results[-1].get("passed", 0), results[-1].get("failed", 0)])
    rows.append(["after / before", rows[1][1] / rows[0][1], None, None])
    print(
        format_table(
            f"make test: median of {args.rounds} rounds, interleaved",
            ["tree", "seconds", "passed", "failed"],
            rows,
        )
    )
    if args.suites:
        suite_rows = [
            [
                suite,
                *(statistics.median(suites[name][suite]) if suites[name][suite] else None for name in trees),
            ]
            for suite in SUITES
        ]
        timed = min(args.suites, args.rounds)
        print(format_table(f"each suite (seconds, median of {timed})", ["suite", *trees], suite_rows))
    report_machine(args.json, runs=runs, suites=suites)


if __name__ == "__main__":
    main()
