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
it made (service, operation; DynamoDB items written per table). It then runs one approval through the
workflow (a high-priority create, an approver's decision through the API) on moto's Step Functions
interpreter and counts the state transitions in its execution history.

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
from tasks_ops.cost.report import MEASURED

RESULTS = MEASURED  # what `make cost` reads
WRITE_KINDS = ("create", "update", "complete", "delete")


class CountingLog(io.TextIOBase):
    """A function's log stream: counts what it would ship to CloudWatch Logs, keeps the EMF blobs."""

    def __init__(self) -> None:
        self.bytes = 0
        self.metrics: list[str] = []

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        for line in text.splitlines():
            if '"_aws"' in line:
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
            for table, count in _items_written(service, operation, params).items():
                self.current["items_written"][table] += count
            if (service, operation) == ("events", "PutEvents"):
                self.current["event_bytes"] += sum(_event_size(entry) for entry in params["Entries"])

    def wrap(self, function: Any) -> None:
        """Time every invocation of a LocalFunction and count its log bytes."""
        log = CountingLog()
        function.log = log
        invoke = function.invoke

        def timed(event: dict[str, Any]) -> Any:
            self.function = function.manifest.name
            self.current = {"calls": Counter(), "items_written": Counter(), "event_bytes": 0}
            before, metrics_before = log.bytes, len(log.metrics)
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
                        "metrics": log.metrics[metrics_before:],
                        "calls": dict(self.current["calls"]),
                        "items_written": dict(self.current["items_written"]),
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


def _items_written(service: str, operation: str, params: dict[str, Any]) -> dict[str, int]:
    """Items written per table; `<table> (transaction)` for TransactWriteItems, whose every item, a
    ConditionCheck too, costs twice a standard write."""
    if service != "dynamodb":
        return {}
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return {params["TableName"]: 1}
    if operation == "TransactWriteItems":
        tables: Counter[str] = Counter()
        for item in params["TransactItems"]:
            (action,) = item.values()
            tables[f"{action['TableName']} (transaction)"] += 1
        return dict(tables)
    if operation == "BatchWriteItem":
        return {table: len(requests) for table, requests in params["RequestItems"].items()}
    return {}


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

    body = {
        "title": "Prepare the quarterly infrastructure cost review",
        "assignee": "bob",
        "tags": ["finance"],
    }
    for index in range(lifecycles):
        print(f"\r  lifecycle {index + 1}/{lifecycles}", end="", file=sys.stderr, flush=True)
        recorder.kind = "create"
        task = call("create-task", user="alice", body=body)
        _drain(pollers)
        task_id = task["body"]["id"]
        recorder.kind = "update"
        updated = call(
            "update-task",
            user="alice",
            task_id=task_id,
            body={"title": body["title"] + " (v2)"},
            headers={"if-match": task["etag"]},
        )
        _drain(pollers)
        recorder.kind = "complete"
        completed = call(
            "update-task",
            user="alice",
            task_id=task_id,
            body={"status": "completed"},
            headers={"if-match": updated["etag"]},
        )
        _drain(pollers)
        recorder.kind = "delete"
        call("delete-task", user="alice", task_id=task_id, headers={"if-match": completed["etag"]})
        _drain(pollers)
    print(file=sys.stderr)

    approval = _approval(recorder, call, pollers, (resources, workflow, stop))
    return {
        "measured_on": datetime.date.today().isoformat(),
        "command": f".venv/bin/python -m bench.pipeline_costs --lifecycles {lifecycles}",
        "machine": machine(),
        "lifecycles": lifecycles,
        "manifests": {name: {"memory_mb": manifest.memory_mb} for name, manifest in stack.manifests.items()},
        "writes": {kind: _summarize(recorder.invocations[kind], lifecycles) for kind in WRITE_KINDS},
        "approval": {**approval, "run": _summarize(recorder.invocations["approval"], 1)},
    }


def _approval(recorder: Recorder, call: Any, pollers: list[Any], stack: tuple[Any, ...]) -> dict[str, Any]:
    """One approval, approved: its execution's history counted; every invocation of the run (from the
    high-priority create to the decision recorded and projected) recorded under `approval`."""
    resources, workflow, stop = stack
    import boto3  # noqa: PLC0415

    from tasks_local.runtime.workflow import ExecutionStarter  # noqa: PLC0415

    recorder.kind = "approval"
    task = call("create-task", user="alice", body={"title": "Rotate the production keys", "priority": "high"})
    task_id = task["body"]["id"]
    _drain(pollers)
    starter = ExecutionStarter(resources.queues["approval-requests"], workflow, stop, io.StringIO())
    while not starter.poll_once():
        _drain(pollers)
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + 30
    decision = {"decision": "approve"}
    while True:
        # A 409 while the workflow is still storing its token is the bench being quicker than an
        # approver: those tries are kept apart, only the decision that is taken counts.
        recorder.kind = "approval-early-decision"
        try:
            call("decide-approval", user="bob", groups=("approvers",), task_id=task_id, body=decision)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        recorder.invocations["approval"].append(recorder.invocations["approval-early-decision"].pop())
        recorder.kind = "approval"
        break
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
    AWS calls and DynamoDB items written per write."""
    by_function: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invocation in invocations:
        by_function[invocation["function"]].append(invocation)
    summary = {}
    for name, runs in sorted(by_function.items()):
        durations = [run["duration_ms"] for run in runs]
        calls: Counter[str] = Counter()
        items: Counter[str] = Counter()
        metrics: Counter[str] = Counter()
        for run in runs:
            calls.update(run["calls"])
            items.update(run["items_written"])
            metrics.update(set(run["metrics"]))
        summary[name] = {
            "invocations_per_write": round(len(runs) / lifecycles, 3),
            "duration_ms_p50": round(percentile(durations, 50), 2),
            "duration_ms_mean": round(sum(durations) / len(durations), 2),
            "duration_ms_p95": round(percentile(durations, 95), 2),
            "log_bytes_per_invocation": round(sum(run["log_bytes"] for run in runs) / len(runs), 1),
            "event_bytes_per_write": round(sum(run["event_bytes"] for run in runs) / lifecycles, 1),
            "metrics": sorted(metrics),
            "aws_calls_per_write": {
                call: round(count / lifecycles, 3) for call, count in sorted(calls.items())
            },
            "dynamodb_items_written_per_write": {
                table: round(count / lifecycles, 3) for table, count in sorted(items.items())
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
                f"log {numbers['log_bytes_per_invocation']:>7.0f} B  "
                f"items {numbers['dynamodb_items_written_per_write']}"
            )
    approval = results["approval"]
    print(f"\napproval: {approval['outcome']}, {approval['state_transitions']} state transitions")
    print(f"\nwritten {args.json} in {time.monotonic() - started:.0f} s")
    sys.stdout.flush()
    os._exit(0)  # moto's server threads and the workflow's waits end with the process


if __name__ == "__main__":
    main()
