"""How long `make dev` takes to be ready with a large kept state, against an empty start, in one run.

Run: .venv/bin/python -m bench.emulator.restore_start [--tasks 10000] [--seeded 100] [--rounds 3]

1. Grows a state as the stack writes it: a `make dev` of this tree seeds `--seeded` tasks through the
   API (`make seed`), waits until its pipeline is quiet (every table's count steady), and reads back
   every item of the tasks, views and activity tables.
2. Multiplies it to `--tasks` tasks: each task that does not await approval is copied under new ids,
   with every views and activity item that names it (its list views, its history); the owners'
   counters and the tasks awaiting approval are kept as they are, once. The result is written as the
   runtime writes a generation (tasks_local.runtime.state_store), for the tables as they are now.
3. Times, round after round and alternating which goes first, a start with that state (copied into a
   new state directory each time) and a start with none: from the process's start to its `ready:`
   line, which comes after the restore, the stream pollers' start and the approvals re-opened. Each
   restored start must say it restored every task, or the bench fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench._common import REPO_ROOT, format_table, report_machine
from bench._dev_stack import dev_stack, stack_environment
from tasks_local.runtime.persistence import identity
from tasks_local.runtime.state_store import StateStore
from tasks_shared.tables import definitions

QUIET_SECONDS = 3.0  # counts unchanged this long: the stream, the bus and the consumers are done
QUIET_DEADLINE_SECONDS = 300
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RESTORED = re.compile(r"state: restored from .*: items (.*)")


def _scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return [
        item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]
    ]


def _wait_until_quiet(dynamodb: Any, tables: dict[str, str]) -> None:
    deadline = time.monotonic() + QUIET_DEADLINE_SECONDS
    counts, steady_since = None, time.monotonic()
    while time.monotonic() - steady_since < QUIET_SECONDS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stack's tables never stopped changing: {counts}")
        now = {key: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for key, name in tables.items()}
        if now != counts:
            counts, steady_since = now, time.monotonic()
        time.sleep(0.5)


def grow(seeded: int, workspace: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every item of a stack that seeded `seeded` tasks and went quiet, by table key; and the names."""
    with dev_stack(REPO_ROOT, stack_environment(workspace)) as stack:
        stack.tasks_local("seed", "--count", str(seeded), "--user", "alice")
        dynamodb = stack.client("dynamodb")
        tables = stack.tables()
        _wait_until_quiet(dynamodb, tables)
        return {key: _scan(dynamodb, name) for key, name in tables.items()}, tables


def _awaits(task: dict[str, Any]) -> bool:
    return task.get("approval", {}).get("M", {}).get("status", {}).get("S") == "awaiting"


def multiply(
    items: dict[str, list[dict[str, Any]]], target: int
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """`items` grown to `target` tasks, and how many of them await approval (kept once)."""
    tasks = {task["id"]["S"]: task for task in items["tasks"]}
    copied = [task_id for task_id, task in tasks.items() if not _awaits(task)]
    belonging: dict[str, list[tuple[str, str]]] = defaultdict(list)  # task id -> (table key, item JSON)
    grown: dict[str, list[dict[str, Any]]] = {key: list(rows) for key, rows in items.items()}
    for key, rows in items.items():
        for row in rows:
            text = json.dumps(row)
            named = [found for found in UUID.findall(text) if found in tasks]
            if named:
                belonging[named[0]].append((key, text))
    for number in range(target - len(tasks)):
        task_id = copied[number % len(copied)]
        new_id = str(uuid.uuid4())
        for key, text in belonging[task_id]:
            grown[key].append(json.loads(text.replace(task_id, new_id)))
    return grown, sum(map(_awaits, tasks.values()))


def _table_state(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A table's items, and its stream (if it has one) with every record already processed."""
    if definitions()[key].get("StreamSpecification", {}).get("StreamEnabled"):
        return {"items": rows, "stream": {"start": 1, "records": []}}
    return {"items": rows}


def write_state(directory: Path, grown: dict[str, list[dict[str, Any]]], tables: dict[str, str]) -> None:
    """The tables as the runtime's own snapshot: a generation made current, every stream processed."""
    snapshot = {
        "tables": {tables[key]: _table_state(key, rows) for key, rows in grown.items()},
        "queues": {},
        "objects": [],
        "secrets": {},
    }
    store = StateStore(directory)
    store.begin(lambda: snapshot, identity())
    store.close()


def start_once(prepared: Path | None, tasks: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as state:
        env = stack_environment(Path(state))
        if prepared is not None:
            shutil.copytree(prepared, Path(state) / f"state-{env['AWS_PORT']}")
        with dev_stack(REPO_ROOT, env) as stack:
            said = RESTORED.search(stack.output())
            tables = stack.tables()
            if prepared is not None and (said is None or f"{tables['tasks']} {tasks}" not in said[1]):
                raise RuntimeError(f"the start did not restore {tasks} tasks:\n{stack.output()[-2000:]}")
            return {"ready_seconds": stack.ready_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the kept state (default 10,000)")
    parser.add_argument("--seeded", type=int, default=100, help="tasks seeded through the API (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each start once (default 3)")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workspace:
        items, tables = grow(args.seeded, Path(workspace) / "grow")
        grown, awaiting = multiply(items, args.tasks)
        prepared = Path(workspace) / "prepared"
        write_state(prepared, grown, tables)
        size = sum(path.stat().st_size for path in prepared.iterdir())
        counts = {key: len(rows) for key, rows in grown.items()}
        print(
            f"kept state: {counts} items ({awaiting} tasks awaiting approval), {size / 1e6:.1f} MB",
            flush=True,
        )
        variants = {"empty": None, f"{args.tasks:,} tasks restored": prepared}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for round_number in range(args.rounds):
            order = list(variants) if round_number % 2 == 0 else list(reversed(variants))
            for name in order:
                result = start_once(variants[name], args.tasks)
                runs[name].append(result)
                print(
                    f"round {round_number + 1}: {name}: ready in {result['ready_seconds']:.2f} s", flush=True
                )
    medians = {
        name: statistics.median(run["ready_seconds"] for run in results) for name, results in runs.items()
    }
    empty, restored = medians.values()
    rows = [[name, seconds] for name, seconds in medians.items()]
    rows.append(["restored - empty", restored - empty])
    print(
        format_table(
            f"make dev, until ready: median of {args.rounds} rounds, interleaved", ["start", "seconds"], rows
        )
    )
    report_machine(args.json, runs=runs, medians=medians, kept_items=counts, awaiting=awaiting, bytes=size)


if __name__ == "__main__":
    main()
