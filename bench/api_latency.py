"""Latency of the tasks API handler, its import cost, and what a list page reads from DynamoDB.

    .venv/bin/python -m bench.api_latency [--json results.json]

a) warm lambda_handler invocations against in-process moto: create, get, list (limit 20);
b) the same through handle() on an in-memory repository: the handler's own overhead;
c) cold import of tasks_api.handler in fresh processes, tracing disabled (local) and enabled (Lambda-like);
d) one list page (limit 20, with and without a status filter) with 1,000 vs 20,000 tasks in the table:
   DynamoDB calls, ScannedCount (from a botocore after-call hook) and the p50 latency.

Everything runs in-process on moto: the numbers compare costs, they are not AWS latencies
(see docs/performance.md).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import _common
import boto3
from botocore.config import Config

from tasks_api import SERVICE, tracer
from tasks_api.config import Settings
from tasks_api.handler import handle, lambda_handler
from tasks_local.runtime.functions import LambdaContext
from tasks_shared.adapters.dynamodb.items import task_record, to_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.dynamodb.views import view_item
from tasks_shared.adapters.memory import InMemoryTaskRepository, RecordingApprovals
from tasks_shared.config import from_env
from tasks_shared.domain.listing import ListQuery, scopes_of
from tasks_shared.domain.model import Caller, Priority, Task
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService
from tests.support.pipeline import Indexer
from tests.support.samples import api_event

Invoke = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

PAGE = 20
USER = "alice"
ADMIN = ("root", ("admins",))
NEW_TASK = {"title": "benchmark task", "description": "measured", "priority": "medium", "tags": ["bench"]}
# DynamoDB BatchWriteItem takes at most 25 puts per call.
BATCH = 25

BENCH_PAGE_KEY = b"the page-token key of a bench run"  # its own services sign their own tokens


# --- a) and b): warm invocations --------------------------------------------------------------------


def _expect(result: dict[str, Any], status: int) -> dict[str, Any]:
    if result["statusCode"] != status:
        raise RuntimeError(f"expected {status}, got {result['statusCode']}: {result.get('body')}")
    return json.loads(result["body"]) if result.get("body") else {}


def _timed_calls(
    invoke: Invoke, make_event: Callable[[int], dict[str, Any]], status: int, count: int
) -> list[float]:
    """Each call's wall time; events and contexts are built outside the timed region."""
    samples = []
    for i in range(count):
        event, context = make_event(i), LambdaContext(SERVICE)
        elapsed, result = _common.time_ms(lambda e=event, c=context: invoke(e, c))
        _expect(result, status)
        samples.append(elapsed)
    return samples


def _measure_operations(
    invoke: Invoke, *, seed: int, warmup: int, iterations: int, catch_up: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """create / get / list (limit 20) for one user. Gets and lists run on the seeded tasks only, once
    `catch_up` has listed them (on moto: the task-indexer, from the stream); creates run last, so the
    table grows from `seed` tasks while they are measured."""

    def create(_: int) -> dict[str, Any]:
        return api_event("create-task", user=USER, body=NEW_TASK)

    ids = [_expect(invoke(create(0), LambdaContext(SERVICE)), 201)["id"] for _ in range(seed)]
    catch_up()
    first = api_event("list-tasks", user=USER, query={"limit": str(PAGE)})
    page = _expect(invoke(first, LambdaContext(SERVICE)), 200)
    if len(page["items"]) != min(PAGE, seed) or (seed > PAGE) != bool(page["nextToken"]):
        raise RuntimeError("the list page does not hold what was seeded")

    operations = {
        "get": (lambda i: api_event("get-task", user=USER, task_id=ids[i % len(ids)]), 200),
        "list": (lambda _: api_event("list-tasks", user=USER, query={"limit": str(PAGE)}), 200),
        "create": (create, 201),
    }
    results = {}
    for name, (make_event, status) in operations.items():
        _timed_calls(invoke, make_event, status, warmup)
        results[name] = _common.summary(_timed_calls(invoke, make_event, status, iterations))
    results["tasks_in_table"] = {
        "gets_lists": seed,
        "creates_from": seed + warmup,
        "creates_to": seed + warmup + iterations,
    }
    return results


def bench_moto_handler(args: argparse.Namespace) -> dict[str, Any]:
    with _common.moto_tables(), _common.silenced(SERVICE), warnings.catch_warnings():
        # get and list publish no metric of their own; Powertools warns about it on every flush.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        return _measure_operations(
            lambda_handler,
            seed=args.seed_tasks,
            warmup=args.warmup,
            iterations=args.moto_iterations,
            catch_up=Indexer().catch_up,
        )


def bench_memory_handler(args: argparse.Namespace) -> dict[str, Any]:
    service = TaskService(InMemoryTaskRepository(), PageTokens(BENCH_PAGE_KEY), RecordingApprovals())
    invoke = functools.partial(handle, service=service)
    with _common.silenced(SERVICE):
        return _measure_operations(
            invoke, seed=args.seed_tasks, warmup=args.warmup, iterations=args.memory_iterations
        )


# --- c): cold import ---------------------------------------------------------------------------------

# Only `time` is imported before the clock starts; interpreter start-up is not counted.
_IMPORT_PROBE = """\
import time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
import json, sys
tracing = None
if "{module}" == "tasks_api.handler":
    from tasks_api import tracer
    tracing = not tracer.disabled
print(json.dumps([elapsed * 1000, tracing, "aws_xray_sdk.core" in sys.modules]))
"""

IMPORT_VARIANTS = {
    "local (outside Lambda), POWERTOOLS_TRACE_DISABLED=true": {"POWERTOOLS_TRACE_DISABLED": "true"},
    # Powertools only traces inside Lambda (LAMBDA_TASK_ROOT set) and disables itself elsewhere, whatever
    # the flag says; with LAMBDA_TASK_ROOT the X-Ray SDK also skips its sampler (Lambda samples).
    "Lambda-like (LAMBDA_TASK_ROOT), POWERTOOLS_TRACE_DISABLED=true": {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "LAMBDA_TASK_ROOT": "/var/task",
    },
    "Lambda-like (LAMBDA_TASK_ROOT), tracing enabled": {
        "POWERTOOLS_TRACE_DISABLED": "false",
        "LAMBDA_TASK_ROOT": "/var/task",
    },
}


def _import_once(module: str, env: dict[str, str]) -> tuple[float, bool | None, bool]:
    output = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(module=module)],
        env=env,
        cwd=_common.REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    elapsed, tracing, xray_loaded = json.loads(output.strip().splitlines()[-1])
    return elapsed, tracing, xray_loaded


def bench_cold_import(args: argparse.Namespace) -> dict[str, Any]:
    results = {}
    for label, overrides in IMPORT_VARIANTS.items():
        env = {**_common.local_environment(), **overrides}
        row: dict[str, Any] = {"env": overrides}
        for module in ("tasks_api.handler", "aws_xray_sdk.core"):
            runs = [_import_once(module, env) for _ in range(args.import_repeats)]
            samples = [elapsed for elapsed, _, _ in runs]
            row[module] = {
                "n": len(samples),
                "median_ms": round(statistics.median(samples), 1),
                "min_ms": round(min(samples), 1),
            }
            if module == "tasks_api.handler":
                row["tracing_enabled"] = runs[0][1]
                row["imports_aws_xray_sdk_core"] = runs[0][2]
        results[label] = row
    return results


# --- d): what a list page reads --------------------------------------------------------------------

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_OWNERS = ("alice", "bob", "carol", "dave")
_STATUS_CHANGE = (None, "in_progress", "completed")


def _bench_task(n: int) -> Task:
    """Task number n: four owners in turn, bob's tasks assigned to alice, priorities and statuses mixed.

    Built and moved through the domain model (Task.new, with_changes), so each item is one the API
    could have written; high-priority tasks stay pending because they await approval.
    """
    owner = _OWNERS[n % len(_OWNERS)]
    created = (_EPOCH + timedelta(milliseconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = {
        "title": f"bench task {n}",
        "description": "a task loaded by bench/api_latency.py",
        "priority": tuple(Priority)[n % 3].value,
        "tags": ["bench"],
        **({"assignee": USER} if owner == "bob" else {}),
    }
    task = Task.new(str(uuid.UUID(int=n)), owner, fields, created).stamped(Caller(owner))
    change = _STATUS_CHANGE[(n // 3) % 3]
    if change and task.priority is not Priority.HIGH:
        task = task.with_changes({"status": change}, created, owner).stamped(Caller(owner))
    return task


def _items_of(task: Task, config: Settings) -> list[dict[str, Any]]:
    """The task item the API writes and the view items the task-indexer projects from it: the loader
    writes those exact items with BatchWriteItem (25 per call), much faster than one write per item."""
    views = [
        {"TableName": config.views_table, "Item": to_item(view_item(task, scope))}
        for scope in scopes_of(task)
    ]
    return [{"TableName": config.tasks_table, "Item": to_item(task_record(task))}, *views]


def _batch_put(client: Any, puts: list[dict[str, Any]]) -> int:
    for start in range(0, len(puts), BATCH):
        pending: dict[str, list[dict[str, Any]]] = {}
        for put in puts[start : start + BATCH]:
            pending.setdefault(put["TableName"], []).append({"PutRequest": {"Item": put["Item"]}})
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(puts)


class _QueryProbe:
    """botocore hooks on the service's client: every DynamoDB call, and what each Query read."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        self.queries: list[dict[str, Any]] = []
        client.meta.events.register("before-call.dynamodb", self._on_call)
        client.meta.events.register("before-parameter-build.dynamodb.Query", self._on_params)
        client.meta.events.register("after-call.dynamodb.Query", self._on_query)

    def reset(self) -> None:
        self.calls.clear()
        self.queries.clear()

    def _on_call(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def _on_params(self, params: dict[str, Any], **_: Any) -> None:
        self.queries.append(
            {
                "index": params.get("IndexName", "(table)"),
                "limit": params.get("Limit"),
                "filter_expression": "FilterExpression" in params,
            }
        )

    def _on_query(self, parsed: dict[str, Any], **_: Any) -> None:
        self.queries[-1].update(scanned=parsed.get("ScannedCount"), count=parsed.get("Count"))


LIST_CASES = {
    "admin, all tasks": ({"user": ADMIN[0], "groups": ADMIN[1]}, {}),
    "admin, status=in_progress": ({"user": ADMIN[0], "groups": ADMIN[1]}, {"status": "in_progress"}),
    "alice, own+assigned": ({"user": USER}, {}),
    "alice, own+assigned, status=in_progress": ({"user": USER}, {"status": "in_progress"}),
}


def _count_views(partitions: Counter, task: Task) -> None:
    """How many view items each (scope, status) partition holds: what a Query there could read."""
    for scope in scopes_of(task):
        partitions[(scope, None)] += 1
        partitions[(scope, task.status.value)] += 1


def _query_of(case_caller: dict[str, Any], filters: dict[str, str]) -> ListQuery:
    caller = Caller(case_caller["user"], frozenset(case_caller.get("groups", ())))
    return ListQuery.for_caller(caller, **filters)


def _partition_items(partitions: Counter, case_caller: dict[str, Any], filters: dict[str, str]) -> int:
    """Items in the partitions a list case reads (two for "own or assigned")."""
    query = _query_of(case_caller, filters)
    return sum(partitions[(scope, query.status)] for scope in query.scopes)


def _measure_list(
    service: TaskService, probe: _QueryProbe, partitions: Counter, iterations: int
) -> list[dict[str, Any]]:
    rows = []
    invoke = functools.partial(handle, service=service)
    for label, (caller, filters) in LIST_CASES.items():

        def make_event(_: int, caller: dict[str, Any] = caller, filters: dict[str, str] = filters) -> dict:
            return api_event("list-tasks", **caller, query={"limit": str(PAGE), **filters})

        _timed_calls(invoke, make_event, 200, 1)  # warm-up
        samples, reads = [], []
        for _ in range(iterations):
            probe.reset()
            samples += _timed_calls(invoke, make_event, 200, 1)
            scopes = len(_query_of(caller, filters).scopes)
            if probe.calls != ["Query"] * scopes:
                raise RuntimeError(f"{label}: expected {scopes} Query, the handler called {probe.calls}")
            reads.append(probe.queries)
        rows.append(
            {
                "case": label,
                "partition_items": _partition_items(partitions, caller, filters),
                "queries": len(reads[0]),
                "index": reads[0][0]["index"],
                "limit": reads[0][0]["limit"],
                "filter_expression": any(query["filter_expression"] for read in reads for query in read),
                "scanned_count_max": max(query["scanned"] for read in reads for query in read),
                "items_returned": sum(query["count"] for query in reads[0]),
                **_common.summary(samples),
            }
        )
    return rows


def bench_list_reads(args: argparse.Namespace) -> dict[str, Any]:
    config = from_env(Settings)
    results: dict[str, Any] = {}
    with _common.moto_tables(), _common.silenced(SERVICE):
        # The loader skips parameter validation: it is setup, not what is measured.
        loader = boto3.client("dynamodb", config=Config(parameter_validation=False))
        client = boto3.client("dynamodb")
        probe = _QueryProbe(client)
        repository = DynamoDBTaskRepository(client, config.tasks_table, config.views_table)
        service = TaskService(repository, PageTokens(BENCH_PAGE_KEY), RecordingApprovals())

        partitions: Counter = Counter()
        loaded = written = 0
        for size in args.sizes:
            start = time.perf_counter()
            # Setup allocates millions of objects: collecting during it only slows it down.
            gc.disable()
            try:
                puts = []
                for n in range(loaded, size):
                    task = _bench_task(n)
                    puts += _items_of(task, config)
                    _count_views(partitions, task)
                items = _batch_put(loader, puts)
            finally:
                gc.enable()
            gc.collect()
            # Keep the loaded table out of later collections, so they time the request, not the heap.
            gc.freeze()
            load_s = time.perf_counter() - start
            # stdout is silenced while the handler runs: progress goes to stderr.
            print(f"  loaded {size - loaded:,} tasks ({items:,} items) in {load_s:.1f} s", file=sys.stderr)
            loaded, written = size, written + items

            rows = _measure_list(service, probe, partitions, args.list_iterations)
            creates = []
            if size in args.create_at:
                task = _bench_task(10**9 + size)
                creates.append(_common.time_ms(lambda task=task: repository.create(task))[0])
                _count_views(partitions, task)
            results[str(size)] = {
                "tasks": size,
                "items_loaded": items,
                "items_in_tables": written,
                "load_seconds": round(load_s, 1),
                "list": rows,
                "repository_create_ms": [round(sample, 1) for sample in creates],
            }
    gc.unfreeze()
    return results


# --- report -----------------------------------------------------------------------------------------


def _report_invocations(title: str, results: dict[str, Any]) -> None:
    rows = [
        [op, results[op]["n"], results[op]["p50_ms"], results[op]["p99_ms"], results[op]["max_ms"]]
        for op in ("create", "get", "list")
    ]
    _common.print_table(title, ["operation", "n", "p50 ms", "p99 ms", "max ms"], rows)
    sizes = results["tasks_in_table"]
    print(
        f"  tasks in the table: {sizes['gets_lists']} during get/list; "
        f"{sizes['creates_from']} -> {sizes['creates_to']} during the creates"
    )


def _report_imports(results: dict[str, Any]) -> None:
    rows = [
        [
            label,
            row["tracing_enabled"],
            row["tasks_api.handler"]["median_ms"],
            row["tasks_api.handler"]["min_ms"],
            row["aws_xray_sdk.core"]["median_ms"],
            row["aws_xray_sdk.core"]["min_ms"],
        ]
        for label, row in results.items()
    ]
    headers = ["environment", "tracer on", "handler med ms", "handler min ms", "xray med ms", "xray min ms"]
    _common.print_table("c) cold import in a fresh process (python -c)", headers, rows)
    first = next(iter(results.values()))
    print(
        f"  n={first['tasks_api.handler']['n']} per cell; 'xray' = `import aws_xray_sdk.core` alone. "
        f"tasks_api.handler imports aws_xray_sdk.core: "
        f"{', '.join(str(row['imports_aws_xray_sdk_core']) for row in results.values())}"
    )


def _report_lists(results: dict[str, Any]) -> None:
    headers = [
        "case",
        "partition items",
        "Queries",
        "index",
        "Limit",
        "ScannedCount",
        "returned",
        "p50 ms",
        "n",
    ]
    for size, result in results.items():
        rows = [
            [
                row["case"],
                row["partition_items"],
                row["queries"],
                row["index"],
                row["limit"],
                row["scanned_count_max"],
                row["items_returned"],
                row["p50_ms"],
                row["n"],
            ]
            for row in result["list"]
        ]
        title = f"d) one list page (limit {PAGE}) through handle() on moto, {int(size):,} tasks in the table"
        _common.print_table(title, headers, rows)
        views = (result["items_in_tables"] - result["tasks"]) / result["tasks"]
        print(
            f"  {result['tasks']:,} tasks are {result['items_in_tables']:,} items: one task item and "
            f"{views:.2f} view items per task on average (loaded in {result['load_seconds']} s)"
        )
        no_filter = not any(row["filter_expression"] for row in result["list"])
        print(
            f"  one Query per scope (two for own+assigned, merged); ScannedCount is the most any Query read; "
            f"FilterExpression never sent: {no_filter}"
        )
        for sample in result["repository_create_ms"]:
            print(f"  one repository create (one conditional PutItem) at this table size: {sample:,.1f} ms")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--moto-iterations", type=int, default=100, help="a) calls per operation")
    parser.add_argument("--memory-iterations", type=int, default=1000, help="b) calls per operation")
    parser.add_argument("--warmup", type=int, default=5, help="a), b) untimed calls per operation")
    parser.add_argument("--seed-tasks", type=int, default=25, help="a), b) tasks created before timing")
    parser.add_argument("--import-repeats", type=int, default=5, help="c) fresh processes per variant")
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted(int(part) for part in text.split(",")),
        default=[1000, 20000],
        help="d) table sizes in tasks, comma-separated (loaded cumulatively)",
    )
    parser.add_argument("--list-iterations", type=int, default=5, help="d) requests per case and size")
    parser.add_argument(
        "--create-at",
        type=lambda text: sorted(int(part) for part in text.split(",") if part),
        default=[1000],
        help="d) table sizes at which to time one repository create (moto copies the tables: slow)",
    )
    parser.add_argument(
        "--only", choices=["a", "b", "c", "d"], action="append", help="run only these parts (repeatable)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write every result as JSON to PATH")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    _common.use_local_environment()
    if not tracer.disabled:
        raise RuntimeError("tracing must be disabled in-process (run outside Lambda)")
    parts = set(args.only or "abcd")
    started = time.perf_counter()
    report: dict[str, Any] = {"machine": _common.machine(), "args": {**vars(args)}}
    info = report["machine"]
    print(
        f"machine: nproc={info['nproc']}, {info['cpu']}, Python {info['python']} "
        f"({info['platform']}), load average {info['loadavg_1m']}"
    )
    print("packages: " + ", ".join(f"{name} {version}" for name, version in info["packages"].items()))

    if "a" in parts:
        report["a_moto_lambda_handler"] = bench_moto_handler(args)
        _report_invocations(
            "a) warm lambda_handler on in-process moto (limit 20 for list)", report["a_moto_lambda_handler"]
        )
    if "b" in parts:
        report["b_in_memory_handle"] = bench_memory_handler(args)
        _report_invocations(
            "b) handle() on an in-memory repository: the handler's own overhead",
            report["b_in_memory_handle"],
        )
    if "c" in parts:
        report["c_cold_import"] = bench_cold_import(args)
        _report_imports(report["c_cold_import"])
    if "d" in parts:
        print(f"\nd) loading {', then '.join(f'{size:,}' for size in args.sizes)} tasks into moto")
        report["d_list_reads"] = bench_list_reads(args)
        _report_lists(report["d_list_reads"])

    report["machine"]["loadavg_1m_end"] = round(_common.loadavg(), 2)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\ntotal {report['seconds']} s; load average at the end {report['machine']['loadavg_1m_end']}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2, default=str)
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
