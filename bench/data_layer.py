"""The data layer on `make dev`, fresh and then with 20,000+ items in every table.

For each phase, against the running stack over HTTP (and moto's endpoint for direct writes):

  create               p50 of POST /tasks
  filtered list        p50 of GET /tasks?status=pending&priority=medium&limit=20 (a user with a full page)
  write → counted      from POST /tasks until GET /stats counts it (stream → publisher → bus → task-created)
  direct write → listed  from a direct UpdateItem of a title on the tasks table (a script, the workflow)
                       until GET /tasks shows it (stream → task-indexer → views)
  memory per write     growth of the stack's RSS over --memory-writes API writes, once the pipeline is quiet
  concurrent writers   --writers threads creating, renaming and completing tasks for --seconds: status
                       codes, 5xx, and any traceback in `make dev`'s output (loaded stack)

Between the phases, --tasks tasks are written straight into the tasks table with BatchWriteItem, as a
migration would (the task-indexer projects their views, the consumers record their creation), and
--filler items straight into each of the views and activity tables (views of other owners' tasks,
processed-event markers), the tables whose size slowed moto down. Not 20,000 tasks through the stream:
moto's SQS does O(queue) work on every message (each send computes the queue's attributes, counting
every message), so a 20,000-event burst builds a backlog that drains at a few events a second.
Write units per operation: ops/tasks_ops/cost/write_units.py.

Run: .venv/bin/python -m bench.data_layer [--samples 40] [--tasks 2000] [--filler 20000] [--memory-writes 300]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench._common import percentile, print_table, wait_ms
from tasks_shared.adapters.dynamodb.items import task_record, to_item
from tasks_shared.adapters.dynamodb.views import view_item
from tasks_shared.domain.model import Task
from tests.support.harness import LocalStack, start_stack, stop_stack

PREFIX = "local-tasks"
TASKS, VIEWS, ACTIVITY = (f"{PREFIX}-{key}" for key in ("tasks", "views", "activity"))


def _rss_mb(stack: LocalStack) -> float:
    """Resident memory of the stack: every process of its session (make, and the runtime under it)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != stack.process.pid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    return total_kb / 1024


def measure(stack: LocalStack, samples: int) -> dict[str, list[float]]:
    user = f"bench-{uuid.uuid4().hex[:8]}"
    session = stack.session(user)
    results: dict[str, list[float]] = {
        "create": [],
        "filtered list": [],
        "write → counted": [],
        "direct write → listed": [],
    }
    api = stack.api_url

    def counted() -> int:
        return session.get(f"{api}/stats", timeout=10).json().get("created", 0)

    for index in range(samples):
        started = time.perf_counter()
        response = session.post(f"{api}/tasks", json={"title": f"bench {index}"}, timeout=10)
        results["create"].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.text
        results["write → counted"].append(wait_ms(started, lambda n=index + 1: counted() >= n))
    query = {"status": "pending", "priority": "medium", "limit": 20}
    for _ in range(samples):
        started = time.perf_counter()
        page = session.get(f"{api}/tasks", params=query, timeout=10)
        results["filtered list"].append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == min(samples, 20), page.text
    newest = session.get(f"{api}/tasks", params={"limit": 1}, timeout=10).json()["items"][0]["id"]
    dynamodb = stack.client("dynamodb")
    for index in range(samples):
        title = f"renamed by a script {index}"
        started = time.perf_counter()
        dynamodb.update_item(
            TableName=TASKS,
            Key=to_item({"id": newest}),
            UpdateExpression="SET title = :title, version = version + :one",
            ExpressionAttributeValues=to_item({":title": title, ":one": 1}),
        )

        def listed(expected: str = title) -> bool:
            items = session.get(f"{api}/tasks", params={"limit": 1}, timeout=10).json()["items"]
            return bool(items) and items[0]["title"] == expected

        results["direct write → listed"].append(wait_ms(started, listed))
    return results


def memory_per_write(stack: LocalStack, writes: int) -> tuple[float, float, float]:
    """(RSS before MB, after MB, growth KB per write) over `writes` API writes; the pipeline is quiet
    at both ends."""
    session = stack.session(f"mem-{uuid.uuid4().hex[:8]}")
    task = session.post(f"{stack.api_url}/tasks", json={"title": "memory"}, timeout=10).json()
    _quiet(stack)
    before = _rss_mb(stack)
    for index in range(writes):
        response = session.put(f"{stack.api_url}/tasks/{task['id']}", json={"title": f"v{index}"}, timeout=10)
        assert response.status_code == 200, response.text
    _quiet(stack)
    after = _rss_mb(stack)
    return before, after, (after - before) * 1024 / writes


def concurrent_writers(stack: LocalStack, writers: int, seconds: float) -> tuple[Counter, float]:
    """Status codes of `writers` threads writing for `seconds` (create, rename, complete, and a stale
    If-Match now and then), and the requests per second they made together."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def write(number: int) -> None:
        session = stack.session(f"writer-{number}-{uuid.uuid4().hex[:6]}")
        while time.monotonic() < deadline:
            created = session.post(f"{stack.api_url}/tasks", json={"title": "concurrent"}, timeout=30)
            codes = [created.status_code]
            if created.status_code == 201:
                url, etag = f"{stack.api_url}/tasks/{created.json()['id']}", created.headers["ETag"]
                codes.append(session.put(url, json={"title": "renamed"}, timeout=30).status_code)
                codes.append(
                    session.put(
                        url, json={"title": "stale"}, headers={"If-Match": etag}, timeout=30
                    ).status_code
                )
                codes.append(session.put(url, json={"status": "completed"}, timeout=30).status_code)
            with lock:
                statuses.update(codes)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, sum(statuses.values()) / (time.monotonic() - started)


def _quiet(stack: LocalStack, timeout: float = 600) -> None:
    """Until every consumer queue is empty and stays so for a second (the stream pollers run ahead)."""
    sqs = stack.client("sqs")
    urls = [url for url in sqs.list_queues(QueueNamePrefix=PREFIX).get("QueueUrls", []) if "dlq" not in url]
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        pending = 0
        for url in urls:
            attributes = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            pending += sum(int(value) for value in attributes.values())
        if pending:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since > 1.0:
            return
        time.sleep(0.2)
    raise TimeoutError("the pipeline did not drain")


def load(stack: LocalStack, tasks: int, filler: int) -> float:
    """`tasks` tasks of 200 filler owners written straight into the tasks table, as a migration would
    (the indexer projects their views, the consumers record them), then `filler` items written straight
    into each of the views and activity tables (views of other owners' tasks, processed-event markers);
    seconds until every list and consumer has caught up."""
    dynamodb = stack.client("dynamodb")
    started = time.perf_counter()
    rng = random.Random(7)
    made = []
    for index in range(tasks):
        created = f"2026-01-01T00:00:{index // 1000:02d}.{index % 1000:06d}Z"
        fields = {"title": f"filler {index}", "priority": rng.choice(["low", "medium"])}
        if rng.random() < 0.5:
            fields["assignee"] = f"filler-{rng.randrange(200)}"
        made.append(Task.new(str(uuid.uuid4()), f"filler-{rng.randrange(200)}", fields, created))
    _batch_put(dynamodb, TASKS, [task_record(task) for task in made])
    views = (view_item(replace(made[n % tasks], id=f"filler-view-{n}"), "ALL") for n in range(filler))
    _batch_put(dynamodb, VIEWS, list(views))
    markers = ({"pk": f"EVENT#filler-{n}", "sk": "task-created", "processedAt": 0} for n in range(filler))
    _batch_put(dynamodb, ACTIVITY, list(markers))
    last = made[-1]

    def indexed() -> bool:
        admin = stack.session("bench-admin", "admins")  # a fresh token: a backlog may outlive one
        page = admin.get(f"{stack.api_url}/tasks", params={"owner": last.owner_id, "limit": 100}, timeout=30)
        assert page.status_code == 200, page.text
        return any(task["id"] == last.id for task in page.json()["items"])

    wait_ms(time.perf_counter(), indexed, timeout=1800)
    _quiet(stack, timeout=1800)
    return time.perf_counter() - started


def _batch_put(dynamodb: Any, table: str, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 25):
        requests = [{"PutRequest": {"Item": to_item(record)}} for record in records[start : start + 25]]
        pending = {table: requests}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    print(f"  wrote {len(records):,} items into {table}", flush=True)


def table_sizes(stack: LocalStack) -> dict[str, int]:
    dynamodb = stack.client("dynamodb")
    return {
        name: dynamodb.describe_table(TableName=name)["Table"]["ItemCount"]
        for name in (TASKS, VIEWS, ACTIVITY)
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--samples", type=int, default=40, help="measurements of each kind per phase")
    parser.add_argument(
        "--tasks", type=int, default=2000, help="tasks written into the tasks table when loading"
    )
    parser.add_argument("--filler", type=int, default=20000, help="items written into views and activity")
    parser.add_argument("--memory-writes", type=int, default=300, help="API writes for the memory figure")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writers")
    parser.add_argument("--seconds", type=float, default=20, help="how long the concurrent writers write")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as state:
        stack = start_stack(Path(state))
        try:
            print("fresh stack: measuring...", flush=True)
            fresh = measure(stack, args.samples)
            print(
                f"loading {args.tasks:,} tasks, and {args.filler:,} items into views and activity...",
                flush=True,
            )
            seconds = load(stack, args.tasks, args.filler)
            sizes = table_sizes(stack)
            print(f"loaded in {seconds:.0f} s; items per table: {sizes}", flush=True)
            loaded = measure(stack, args.samples)
            before, after, per_write = memory_per_write(stack, args.memory_writes)
            statuses, rate = concurrent_writers(stack, args.writers, args.seconds)
            _quiet(stack)
            tracebacks = sum("Traceback" in line for line in stack.output)
        finally:
            stop_stack(stack)
    rows = [
        [
            name,
            percentile(fresh[name], 50),
            percentile(loaded[name], 50),
            percentile(loaded[name], 50) / percentile(fresh[name], 50),
        ]
        for name in fresh
    ]
    print_table(f"p50 (ms), n={args.samples} each", ["operation", "fresh", "loaded", "loaded / fresh"], rows)
    print(f"\nitems per table when loaded: {sizes}")
    print(
        f"memory: {before:.0f} MB → {after:.0f} MB over {args.memory_writes} API writes"
        f" = {per_write:.1f} KB per write (loaded stack)"
    )
    server_errors = sum(count for code, count in statuses.items() if code >= 500)
    print(
        f"{args.writers} concurrent writers for {args.seconds:.0f} s: {sum(statuses.values())} requests"
        f" ({rate:.1f}/s), status codes {dict(sorted(statuses.items()))}, 5xx: {server_errors},"
        f" tracebacks in make dev's output: {tracebacks}"
    )


if __name__ == "__main__":
    main()
