"""What each task write sets running, measured: the inputs of `make cost`.

Run: .venv/bin/python -m bench.pipeline_costs [--lifecycles 30] [--json FILE]  (default: `make cost`'s input)

The script builds what `make dev` builds (moto in server mode on a free port, provisioned from the same
definitions; every function from its manifest, its real entry point with the Powertools decorators) in
this process, and drives it by hand: each write goes through the tasks-api function, then the stream
and queue pollers of the local runtime are drained as Lambda's event source mappings would be, one
batch at a time, so each record is its own invocation (a low-traffic stack: nothing to batch with).

For every write kind (create, update, complete, delete) it records each function invocation the write
set off: its duration (wall clock around the handler), the bytes it logged (Powertools JSON lines and
EMF metric blobs, as CloudWatch Logs would ingest them), the EMF metrics it emitted, and every AWS call
it made (service, operation). It then runs one approval through the workflow (a high-priority create,
an approver's decision through the API) on moto's Step Functions interpreter and counts the state
transitions in its execution history.

DynamoDB's write units are measured on the items themselves: every write moto executes (a function's,
or the workflow's own) is sized from the item it held before and after, with DynamoDB's rules for the
table and each of its indexes (tasks_ops.cost.write_units), and booked to the write kind being measured,
per table. The tasks driven are write_units.SCENARIO's, the ones the design model sizes.

These are moto numbers: a handler here talks HTTP to moto on loopback, not to DynamoDB; durations are
this machine's, not Lambda's on arm64. `make cost` reads the JSON (committed as
ops/tasks_ops/cost/measured/pipeline.json) and says so where it uses them.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench._common import machine, percentile
from tasks_ops.cost import write_units
from tasks_ops.cost.report import MEASURED

RESULTS = MEASURED  # what `make cost` reads
WRITE_KINDS = ("create", "update", "complete", "delete")


class CountingLog(io.TextIOBase):
    """A function's log stream: counts what it would ship to CloudWatch Logs, keeps the EMF blobs."""

    def __init__(self) -> None:
        self.bytes = 0
        self.emf_bytes = 0  # of which EMF blobs: what an environment without custom metrics does not log
        self.metrics: list[str] = []

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        for line in text.splitlines():
            if '"_aws"' in line:
                self.emf_bytes += len(line.encode()) + 1
                blob = json.loads(line)
                for directive in blob["_aws"]["CloudWatchMetrics"]:
                    dimensions = sorted({name for group in directive["Dimensions"] for name in group})
                    self.metrics += [f"{m['Name']}[{','.join(dimensions)}]" for m in directive["Metrics"]]
        return len(text)


class Recorder:
    """Every invocation and the AWS calls made during it, by the write kind being measured."""

    def __init__(self) -> None:
        self.kind = "setup"
        self.function: str | None = None
        self.invocations: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.calls: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def aws_call(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if self.function is None:
            return  # the bench's and the pollers' own calls (receive, delete, get records)
        with self.lock:
            self.calls[(service, operation)] += 1
            self.current["calls"][f"{service}:{operation}"] += 1
            if (service, operation) == ("events", "PutEvents"):
                self.current["event_bytes"] += sum(_event_size(entry) for entry in params["Entries"])

    def wrap(self, function: Any) -> None:
        """Time every invocation of a LocalFunction and count its log bytes."""
        log = CountingLog()
        function.log = log
        invoke = function.invoke

        def timed(event: dict[str, Any]) -> Any:
            self.function = function.manifest.name
            self.current = {"calls": Counter(), "event_bytes": 0}
            before, emf_before, metrics_before = log.bytes, log.emf_bytes, len(log.metrics)
            started = time.perf_counter()
            try:
                return invoke(event)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                self.invocations[self.kind].append(
                    {
                        "function": function.manifest.name,
                        "duration_ms": round(elapsed, 3),
                        "log_bytes": log.bytes - before,
                        "emf_bytes": log.emf_bytes - emf_before,
                        "metrics": log.metrics[metrics_before:],
                        "calls": dict(self.current["calls"]),
                        "event_bytes": self.current["event_bytes"],
                    }
                )
                self.function = None

        function.invoke = timed


def _event_size(entry: dict[str, Any]) -> int:
    """EventBridge's size of a PutEvents entry: Detail, DetailType, Source, Resources, Time (14 bytes)."""
    parts = [
        entry.get("Detail", ""),
        entry.get("DetailType", ""),
        entry.get("Source", ""),
        *entry.get("Resources", []),
    ]
    return sum(len(part.encode()) for part in parts) + (14 if "Time" in entry else 0)


class WriteMeter:
    """The write units of every write moto's DynamoDB executes, per write kind and table: each item as
    it was before the write and after it, sized with DynamoDB's rules for the table and its indexes."""

    def __init__(self, recorder: Recorder, table_names: dict[str, str]) -> None:
        self._recorder = recorder
        self._logical = {physical: key for key, physical in table_names.items()}
        self._tables = write_units.tables()
        self.units: dict[str, dict[str, write_units.Units]] = defaultdict(
            lambda: defaultdict(write_units.Units)
        )
        self._lock = threading.Lock()
        self._inside = threading.local()

    def install(self) -> None:
        from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415

        meter = self

        def wrap(name: str, keys_of: Any, transactional: bool = False) -> None:
            original = getattr(DynamoDBBackend, name)

            def metered(backend: Any, *args: Any, **kwargs: Any) -> Any:
                if getattr(meter._inside, "write", False):  # a transaction's own item writes: booked by it
                    return original(backend, *args, **kwargs)
                touched = [
                    (table, key, meter._image(backend, table, key))
                    for table, key in keys_of(backend, *args, **kwargs)
                ]
                meter._inside.write = True
                try:
                    return original(backend, *args, **kwargs)
                finally:  # a failed condition is billed too: the item as it is
                    meter._inside.write = False
                    for table, key, before in touched:
                        meter._book(table, before, meter._image(backend, table, key), transactional)

            setattr(DynamoDBBackend, name, metered)

        wrap("put_item", lambda backend, table, item, *_, **__: [(table, _key_of(backend, table, item))])
        wrap("update_item", lambda backend, table, key, *_, **__: [(table, key)])
        wrap("delete_item", lambda backend, table, key, *_, **__: [(table, key)])
        wrap("transact_write_items", lambda backend, items, *_, **__: _transact_keys(backend, items), True)

    @staticmethod
    def _image(backend: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        from tasks_shared.adapters.dynamodb.items import from_item  # noqa: PLC0415

        item = backend.get_item(table, key)
        return from_item(item.to_json()["Attributes"]) if item else None

    def _book(self, table: str, before: Any, after: Any, transactional: bool) -> None:
        logical = self._logical.get(table, table)
        used = self._tables[logical].write_units(before, after, transactional=transactional)
        with self._lock:
            self.units[self._recorder.kind][logical] += used


def _key_of(backend: Any, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    table = backend.get_table(table_name)
    return {name: item[name] for name in (table.hash_key_attr, table.range_key_attr) if name}


def _transact_keys(backend: Any, items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    touched = []
    for item in items:
        ((action, body),) = item.items()
        key = _key_of(backend, body["TableName"], body["Item"]) if action == "Put" else body["Key"]
        touched.append((body["TableName"], key))
    return touched


def _hook(recorder: Recorder) -> None:
    """Every boto3 client created from now on reports its calls (the handlers create theirs lazily)."""
    import boto3  # noqa: PLC0415 - after the environment is set

    boto3.setup_default_session()

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        recorder.aws_call(model.service_model.service_name, model.name, params)

    boto3.DEFAULT_SESSION.events.register("provide-client-params.*.*", before)


def _drain(pollers: list[Any]) -> None:
    busy = True
    while busy:
        rounds = [poller.poll_once() for poller in pollers]  # all of them, no short-circuit
        busy = any(rounds)


def measure(lifecycles: int) -> dict[str, Any]:
    from tests.support.harness import free_port  # noqa: PLC0415
    from tests.support.samples import api_event  # noqa: PLC0415

    state = tempfile.mkdtemp(prefix="pipeline-costs-")
    os.environ.update(
        {"AWS_PORT": str(free_port()), "API_PORT": str(free_port()), "TASKS_LOCAL_STATE": state}
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    recorder = Recorder()
    _hook(recorder)

    from tasks_local.runtime import dev  # noqa: PLC0415 - after the environment and the hook
    from tasks_local.runtime.embedded_aws import start_moto  # noqa: PLC0415
    from tasks_local.runtime.settings import LocalSettings  # noqa: PLC0415

    settings = LocalSettings.from_env()
    dev._quiet_libraries()
    start_moto(settings)
    stack = dev.provision_stack(settings)
    names, resources, workflow = stack.names, stack.resources, stack.workflow
    meter = WriteMeter(recorder, names["tables"])
    meter.install()
    functions = dev._functions(stack.manifests)
    for function in functions.values():
        recorder.wrap(function)
        function.warm()
    stop = threading.Event()
    pollers = dev._pollers(functions, resources, names, stop)
    for poller in pollers:
        poller.idle_seconds = 0
        if hasattr(poller, "wait_seconds"):
            poller.wait_seconds = 0
        if hasattr(poller, "spec"):
            poller.spec = {**poller.spec, "batchSize": 1}  # one record per invocation, as at low traffic
    api = functions["tasks-api"]

    def call(name: str, **overrides: Any) -> dict[str, Any]:
        response = api.invoke(api_event(name, **overrides))
        if response["statusCode"] >= 300:
            raise RuntimeError(f"{name}: {response['statusCode']} {response.get('body')}")
        return {"etag": response["headers"].get("ETag"), "body": json.loads(response.get("body") or "null")}

    _lifecycles(recorder, call, pollers, lifecycles)
    approval = _approval(recorder, call, pollers, (resources, workflow, stop, names["tables"]["tasks"]))
    runs = {"approval run": 1, **dict.fromkeys(WRITE_KINDS, lifecycles)}
    return {
        "measured_on": datetime.date.today().isoformat(),
        "command": f".venv/bin/python -m bench.pipeline_costs --lifecycles {lifecycles}",
        "machine": machine(),
        "lifecycles": lifecycles,
        "manifests": {name: {"memory_mb": manifest.memory_mb} for name, manifest in stack.manifests.items()},
        "writes": {kind: _summarize(recorder.invocations[kind], lifecycles) for kind in WRITE_KINDS},
        "approval": {**approval, "run": _summarize(recorder.invocations["approval run"], 1)},
        "write_units_per_write": {
            kind: {
                table: {"table": used.table / count, "indexes": used.indexes / count}
                for table, used in sorted(meter.units[kind].items())
            }
            for kind, count in runs.items()
        },
    }


def _lifecycles(recorder: Recorder, call: Any, pollers: list[Any], lifecycles: int) -> None:
    """The scenario's task created, updated, completed and deleted, `lifecycles` times; each write's
    invocations and writes drained and booked under its kind."""
    scenario = write_units.SCENARIO
    owner = scenario.owner
    for index in range(lifecycles):
        print(f"\r  lifecycle {index + 1}/{lifecycles}", end="", file=sys.stderr, flush=True)
        recorder.kind = "create"
        task = call("create-task", user=owner, body=dict(scenario.create))
        _drain(pollers)
        task_id = task["body"]["id"]
        recorder.kind = "update"
        updated = call(
            "update-task",
            user=owner,
            task_id=task_id,
            body=dict(scenario.update),
            headers={"if-match": task["etag"]},
        )
        _drain(pollers)
        recorder.kind = "complete"
        completed = call(
            "update-task",
            user=owner,
            task_id=task_id,
            body={"status": "completed"},
            headers={"if-match": updated["etag"]},
        )
        _drain(pollers)
        recorder.kind = "delete"
        call("delete-task", user=owner, task_id=task_id, headers={"if-match": completed["etag"]})
        _drain(pollers)
    print(file=sys.stderr)


def _approval(recorder: Recorder, call: Any, pollers: list[Any], stack: tuple[Any, ...]) -> dict[str, Any]:
    """One approval, approved: its execution's history counted; every invocation and write of the run
    (from the high-priority create to the decision recorded and projected) booked under `approval run`."""
    resources, workflow, stop, tasks_table = stack
    import boto3  # noqa: PLC0415

    from tasks_local.runtime.workflow import ExecutionStarter  # noqa: PLC0415

    scenario = write_units.SCENARIO
    recorder.kind = "approval run"
    task = call("create-task", user=scenario.owner, body=dict(scenario.approval_create))
    task_id = task["body"]["id"]
    _drain(pollers)
    starter = ExecutionStarter(resources.queues["approval-requests"], workflow, stop, io.StringIO())
    while not starter.poll_once():
        _drain(pollers)
    # An approver decides once the request is open (its token stored), on the version they read.
    dynamodb, deadline = boto3.client("dynamodb"), time.monotonic() + 30
    key = {"id": {"S": task_id}}
    while (
        "approvalToken" not in dynamodb.get_item(TableName=tasks_table, Key=key, ConsistentRead=True)["Item"]
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the workflow never stored its task token")
        time.sleep(0.05)
    _drain(pollers)
    call(
        "decide-approval",
        user=scenario.approver,
        groups=("approvers",),
        task_id=task_id,
        body=dict(scenario.decision),
        headers={"if-match": task["etag"]},
    )
    sfn = boto3.client("stepfunctions")
    [execution] = sfn.list_executions(stateMachineArn=workflow.state_machine_arn)["executions"]
    while sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "RUNNING":
        time.sleep(0.1)
    events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
    _drain(pollers)
    entered = [event["type"] for event in events if event["type"].endswith("StateEntered")]
    return {
        "outcome": sfn.describe_execution(executionArn=execution["executionArn"])["status"],
        "state_transitions": len(entered),
        "history_events": len(events),
        "states_entered": dict(Counter(entered)),
    }


def _summarize(invocations: list[dict[str, Any]], lifecycles: int) -> dict[str, Any]:
    """Per function: invocations per write, duration p50/mean, log bytes and metrics per invocation,
    AWS calls per write."""
    by_function: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invocation in invocations:
        by_function[invocation["function"]].append(invocation)
    summary = {}
    for name, runs in sorted(by_function.items()):
        durations = [run["duration_ms"] for run in runs]
        calls: Counter[str] = Counter()
        metrics: Counter[str] = Counter()
        for run in runs:
            calls.update(run["calls"])
            metrics.update(set(run["metrics"]))
        summary[name] = {
            "invocations_per_write": round(len(runs) / lifecycles, 3),
            "duration_ms_p50": round(percentile(durations, 50), 2),
            "duration_ms_mean": round(sum(durations) / len(durations), 2),
            "duration_ms_p95": round(percentile(durations, 95), 2),
            "log_bytes_per_invocation": round(sum(run["log_bytes"] for run in runs) / len(runs), 1),
            "emf_bytes_per_invocation": round(sum(run["emf_bytes"] for run in runs) / len(runs), 1),
            "event_bytes_per_write": round(sum(run["event_bytes"] for run in runs) / lifecycles, 1),
            "metrics": sorted(metrics),
            "aws_calls_per_write": {
                call: round(count / lifecycles, 3) for call, count in sorted(calls.items())
            },
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lifecycles", type=int, default=30, help="tasks created, updated, completed, deleted"
    )
    parser.add_argument("--json", default=str(RESULTS), help=f"where to write the results ({RESULTS})")
    args = parser.parse_args()
    started = time.monotonic()
    results = measure(args.lifecycles)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    for kind, functions in results["writes"].items():
        print(f"\n{kind}:")
        for name, numbers in functions.items():
            print(
                f"  {name:<15} x{numbers['invocations_per_write']:<5} "
                f"p50 {numbers['duration_ms_p50']:>7.2f} ms mean {numbers['duration_ms_mean']:>7.2f} ms  "
                f"log {numbers['log_bytes_per_invocation']:>7.0f} B"
            )
        print(f"  write units: {results['write_units_per_write'][kind]}")
    approval = results["approval"]
    print(f"\napproval: {approval['outcome']}, {approval['state_transitions']} state transitions")
    print(f"\nwritten {args.json} in {time.monotonic() - started:.0f} s")
    sys.stdout.flush()
    os._exit(0)  # moto's server threads and the workflow's waits end with the process


if __name__ == "__main__":
    main()
