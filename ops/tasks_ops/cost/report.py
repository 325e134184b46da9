"""`make cost`: what the stack costs to run, term by term, so a reader can check every sum.

Three inputs, each a file in the repository:
- prices: infra/pricing/<region>.json, dated, each price with the AWS pricing page it came from;
- what a write sets running, measured by bench/pipeline_costs.py (measured/pipeline.json here): each
  function's invocations and mean duration per write kind, the bytes they log, the EMF metrics they
  emit, the DynamoDB items and AWS calls they make, the event bytes published, and the state
  transitions of one approval run on the workflow;
- the tasks and views tables' write units by design, from write_units.py here (the items the code
  writes, sized with DynamoDB's rules), and the stack's fixed parts from infra/ and the manifests
  (KMS keys, alarms, dashboard, queues Lambda polls, the X-Ray sampling rule).

What it cannot read from those is an assumption, named where it is used: the mix of writes (Traffic),
the size of Lambda's own log lines and of an access-log line, and how many pollers Lambda keeps on an
idle queue. Durations are moto's on this machine (loopback HTTP to an emulator, not DynamoDB over the
network), so the Lambda terms are an estimate of the right order, not a quote.
"""

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import hcl2

from tasks_local.runtime.manifest import manifest_paths
from tasks_local.runtime.settings import REPO_ROOT
from tasks_ops.cost import write_units as wu

PRICING = REPO_ROOT / "infra" / "pricing"
MEASURED = Path(__file__).with_name("measured") / "pipeline.json"
MILLION = 1_000_000
SECONDS_PER_MONTH = 30 * 24 * 3600
GB = 1024**3

# Lambda's own lines per invocation in a Text-format log group: START (~70 bytes), END (~50) and
# REPORT (~260 with X-Ray's trace id and, on a cold start, the init duration).
LAMBDA_PLATFORM_LOG_BYTES = 380
# Lambda polls an SQS queue with five long polls at once while it is idle (the Lambda developer
# guide, "Scaling" of SQS event sources), each waiting up to 20 s: every one of them is a request.
IDLE_POLLERS_PER_QUEUE = 5
LONG_POLL_SECONDS = 20
# X-Ray's default sampling rule (infra/ defines no aws_xray_sampling_rule): the first request each
# second, then 5 % of the rest.
XRAY_RESERVOIR_PER_SECOND = 1
XRAY_FIXED_RATE = 0.05
# Each SQS message costs three requests: EventBridge's SendMessage, the poller's ReceiveMessage (one
# message per batch at low traffic) and its DeleteMessageBatch.
SQS_REQUESTS_PER_MESSAGE = 3
# An access-log line's values, typical of a write: the fields come from infra/modules/api/stage.tf.
ACCESS_LOG_VALUES = {
    "requestId": "Vb3Xyh5XoAMEbWw=",
    "ip": "203.0.113.10",
    "requestTime": "03/Dec/2026:10:00:00 +0000",
    "httpMethod": "PUT",
    "routeKey": "PUT /tasks/{taskId}",
    "status": "200",
    "protocol": "HTTP/1.1",
    "responseLength": "702",
    "latency": "48",
    "user": "a1b2c3d4-1111-2222-3333-444455556666",
}


class CostError(RuntimeError):
    """An input is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Traffic:
    """The assumptions about use: what a task write is, and how many there are at low traffic."""

    low_writes_per_month: int = 10_000
    # A task is created, changed, completed (or sometimes deleted): creates match completes + deletes.
    mix: Mapping[str, float] = field(
        default_factory=lambda: {"create": 0.35, "update": 0.30, "complete": 0.30, "delete": 0.05}
    )
    approval_share_of_creates: float = 0.10  # high-priority creates, each one approval run
    # Every completed task is removed by its TTL later: DynamoDB deletes it free of charge, its stream
    # record still runs the indexer (its views go) and the publisher.
    ttl_expiries_per_complete: float = 1.0


@dataclass(frozen=True)
class Price:
    usd: float
    per: float
    unit: str
    source: str

    @property
    def each(self) -> float:
        return self.usd / self.per

    def label(self) -> str:
        if self.per == 1:
            return f"${self.usd:.10f}".rstrip("0").rstrip(".") + " each"
        return f"${self.usd:g} per {self.per:,.0f}"


@dataclass(frozen=True)
class Term:
    """One line of the bill: a quantity at one price."""

    name: str
    quantity: float
    unit: str
    price: str  # its key in the pricing file
    note: str = ""

    def cost(self, prices: Mapping[str, Price]) -> float:
        return self.quantity * prices[self.price].each


def load_prices(path: Path) -> tuple[dict[str, Price], dict[str, Any]]:
    if not path.is_file():
        raise CostError(f"no price table {path.relative_to(REPO_ROOT)}")
    table = json.loads(path.read_text())
    prices = {}
    for key, entry in table["prices"].items():
        missing = [name for name in ("usd", "per", "unit", "source") if name not in entry]
        if missing:
            raise CostError(f"{path.name}: {key} lacks {', '.join(missing)}")
        prices[key] = Price(float(entry["usd"]), float(entry["per"]), entry["unit"], entry["source"])
    return prices, table


def load_measured(path: Path = MEASURED) -> dict[str, Any]:
    if not path.is_file():
        raise CostError(
            f"no measurements at {path.relative_to(REPO_ROOT)}: run .venv/bin/python -m bench.pipeline_costs"
        )
    return json.loads(path.read_text())


# --- what one write of each kind sets running -----------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Quantities of one write (or one approval run, one TTL expiry)."""

    api_requests: float = 0.0
    invocations: Mapping[str, float] = field(default_factory=dict)  # per function
    gb_seconds: Mapping[str, float] = field(default_factory=dict)  # per function
    wru: float = 0.0
    rru: float = 0.0
    events: float = 0.0
    event_bytes: float = 0.0
    sqs_messages: float = 0.0
    transitions: float = 0.0
    log_bytes: float = 0.0
    s3_puts: float = 0.0
    sns_publishes: float = 0.0

    def plus(self, other: "Usage", weight: float = 1.0) -> "Usage":
        def merged(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
            return {key: a.get(key, 0.0) + weight * b.get(key, 0.0) for key in a.keys() | b.keys()}

        scalars = {
            name: getattr(self, name) + weight * getattr(other, name)
            for name in self.__dataclass_fields__
            if name not in ("invocations", "gb_seconds")
        }
        return Usage(
            **scalars,
            invocations=merged(self.invocations, other.invocations),
            gb_seconds=merged(self.gb_seconds, other.gb_seconds),
        )


def design_write_units() -> dict[str, float]:
    """The tasks and views tables' write units per write kind (write_units.py, a typical task): the
    API's write of the task and the indexer's writes of its views."""
    task = wu.typical()
    operations = wu.operations(task)
    task_item = wu.units(wu.task_record(task))
    stream = {
        name: wu.costs(*pair, bumps=name != "retention TTL")["stream"] for name, pair in operations.items()
    }
    return {
        "create": stream["create"],
        "update": stream["update title"],
        # the status write, then task-completed's retention TTL write and the views it re-projects
        "complete": stream["update status"] + stream["retention TTL"],
        "delete": stream["delete"],
        "ttl expiry": stream["delete"] - task_item,  # DynamoDB's TTL delete is free; the views are not
        "task item": task_item,
    }


def _functions_usage(functions: Mapping[str, Any], memory_mb: Mapping[str, int]) -> Usage:
    """Invocations, GB-seconds (each invocation's mean duration, billed per started ms), DynamoDB
    reads, logs, SQS messages, events, S3 and SNS calls of the functions a write ran."""
    invocations, gb_seconds = {}, {}
    rru = log_bytes = sqs = events = event_bytes = s3 = sns = 0.0
    for name, measured in functions.items():
        count = measured["invocations_per_write"]
        invocations[name] = count
        gb_seconds[name] = count * math.ceil(measured["duration_ms_mean"]) / 1000 * memory_mb[name] / 1024
        log_bytes += count * (measured["log_bytes_per_invocation"] + LAMBDA_PLATFORM_LOG_BYTES)
        calls = measured["aws_calls_per_write"]
        rru += sum(calls.get(f"dynamodb:{op}", 0) for op in ("GetItem", "BatchGetItem", "Query"))
        events += calls.get("events:PutEvents", 0)
        event_bytes += measured.get("event_bytes_per_write", 0)
        s3 += calls.get("s3:PutObject", 0)
        sns += calls.get("sns:Publish", 0)
        if name in ("task-created", "task-updated", "task-completed"):
            sqs += count  # one message on its queue per invocation (batch size 1 at low traffic)
    return Usage(
        invocations=invocations,
        gb_seconds=gb_seconds,
        rru=rru,
        log_bytes=log_bytes,
        sqs_messages=sqs,
        events=events,
        event_bytes=event_bytes,
        s3_puts=s3,
        sns_publishes=sns,
    )


def _activity_units(functions: Mapping[str, Any]) -> float:
    """The consumers' activity items (counters, history, idempotency markers; each under 1 KB): one
    unit each, two in a transaction."""
    units = 0.0
    for measured in functions.values():
        for table, items in measured["dynamodb_items_written_per_write"].items():
            if "activity" in table:
                units += items * (2 if table.endswith("(transaction)") else 1)
    return units


def write_usage(measured: Mapping[str, Any], kind: str, design: Mapping[str, float]) -> Usage:
    functions = measured["writes"][kind]
    memory = {name: spec["memory_mb"] for name, spec in measured["manifests"].items()}
    usage = _functions_usage(functions, memory)
    return replace(
        usage,
        api_requests=functions["tasks-api"]["invocations_per_write"],
        wru=design[kind] + _activity_units(functions),
    )


def ttl_expiry_usage(measured: Mapping[str, Any], design: Mapping[str, float]) -> Usage:
    """A completed task's TTL delete: the delete's stream work without its API call or its write."""
    functions = {name: f for name, f in measured["writes"]["delete"].items() if name != "tasks-api"}
    memory = {name: spec["memory_mb"] for name, spec in measured["manifests"].items()}
    return replace(_functions_usage(functions, memory), wru=design["ttl expiry"])


def approval_extra_usage(measured: Mapping[str, Any], design: Mapping[str, float]) -> Usage:
    """What an approval run adds to its high-priority create: the decision's API call, the workflow's
    state transitions and its two writes of the task (the token stored, the decision recorded), and
    the functions those writes run (indexer, publisher, task-updated), as measured in one run."""
    memory = {name: spec["memory_mb"] for name, spec in measured["manifests"].items()}
    run, create = measured["approval"]["run"], measured["writes"]["create"]
    extra = {}
    for name, numbers in run.items():
        count = numbers["invocations_per_write"] - create.get(name, {}).get("invocations_per_write", 0)
        if count > 0:
            extra[name] = {
                **numbers,
                "invocations_per_write": count,
                "aws_calls_per_write": _minus(numbers["aws_calls_per_write"], create.get(name, {})),
                "dynamodb_items_written_per_write": _minus(
                    numbers["dynamodb_items_written_per_write"],
                    create.get(name, {}),
                    "dynamodb_items_written_per_write",
                ),
                "event_bytes_per_write": max(
                    0,
                    numbers.get("event_bytes_per_write", 0)
                    - create.get(name, {}).get("event_bytes_per_write", 0),
                ),
            }
    usage = _functions_usage(extra, memory)
    views = sum(
        items
        for numbers in extra.values()
        for table, items in numbers["dynamodb_items_written_per_write"].items()
        if "views" in table
    )
    workflow_writes = 2 * design["task item"]
    return replace(
        usage,
        api_requests=extra.get("tasks-api", {}).get("invocations_per_write", 0),
        wru=workflow_writes + views + _activity_units(extra),
        transitions=measured["approval"]["state_transitions"],
        sns_publishes=usage.sns_publishes + 1,  # NotifyApprovers
    )


def _minus(run: Mapping[str, float], create: Mapping[str, Any], key: str = "aws_calls_per_write") -> dict:
    base = create.get(key, {})
    return {name: max(0.0, count - base.get(name, 0)) for name, count in run.items()}


def usage_per_write(measured: Mapping[str, Any], traffic: Traffic) -> Usage:
    """The expected usage of one task write under the traffic mix."""
    design = design_write_units()
    total = Usage()
    for kind, share in traffic.mix.items():
        total = total.plus(write_usage(measured, kind, design), share)
    total = total.plus(
        ttl_expiry_usage(measured, design), traffic.mix["complete"] * traffic.ttl_expiries_per_complete
    )
    approvals = traffic.mix["create"] * traffic.approval_share_of_creates
    return total.plus(approval_extra_usage(measured, design), approvals)


# --- the stack's fixed parts, read from infra/ and the manifests ----------------------------------


def _plain_hcl(path: Path) -> dict[str, Any]:
    return hcl2.loads(
        path.read_text(), serialization_options=hcl2.SerializationOptions(strip_string_quotes=True)
    )


def stack_facts() -> dict[str, Any]:
    """Counts of what is billed by the month, from the definitions Terraform reads."""
    import yaml  # noqa: PLC0415

    manifests = [yaml.safe_load(path.read_text()) for path in manifest_paths()]
    events = [event for manifest in manifests for event in manifest.get("events", [])]
    sqs_queues = sorted({event["sqs"]["queue"] for event in events if "sqs" in event})
    stream_functions = [
        m["name"] for m in manifests if any("stream" in event for event in m.get("events", []))
    ]
    failure_queues = {event["stream"]["onFailure"]["queue"] for event in events if "stream" in event}
    keys_locals = next(
        block["keys"] for block in _plain_hcl(REPO_ROOT / "infra/modules/stack/keys.tf")["locals"]
    )
    secrets = [
        name
        for path in (REPO_ROOT / "infra" / "modules").rglob("*.tf")
        for block in re.findall(
            r'resource "aws_secretsmanager_secret" "\w+" \{(.*?)\n\}', path.read_text(), re.S
        )
        for name in re.findall(r'"(\w+)"', re.search(r"for_each\s*=\s*toset\(\[(.*?)\]\)", block)[1])
    ]
    state_machines = list((REPO_ROOT / "statemachines").glob("*.asl.json"))
    sampling_rules = [
        path for path in (REPO_ROOT / "infra").rglob("*.tf") if "aws_xray_sampling_rule" in path.read_text()
    ]
    alarms = {
        "errors and throttles, per function": 2 * len(manifests),
        "iterator age, per stream reader": len(stream_functions),
        "dead letters, per DLQ or failure queue (+ the bus's)": len(sqs_queues) + len(failure_queues) + 1,
        "failed and timed-out executions, per state machine": 2 * len(state_machines),
        "API 5xx and p99 latency": 2,
    }
    fields = re.findall(r"(\w+)\s*=\s*\"\$context", (REPO_ROOT / "infra/modules/api/stage.tf").read_text())
    access_line = json.dumps({name: ACCESS_LOG_VALUES.get(name, "-") for name in fields})
    return {
        "kms_keys": len(keys_locals),
        "secrets": secrets,
        "alarms": alarms,
        "dashboards": 1,
        "polled_queues": sqs_queues,
        "xray_default_sampling": not sampling_rules,
        "access_log_bytes": len(access_line.encode()) + 1,
    }


def xray_sampled_share(traces_per_second: float) -> float:
    """Of the requests at this steady rate, the share X-Ray's default rule records."""
    if traces_per_second <= XRAY_RESERVOIR_PER_SECOND:
        return 1.0
    sampled = XRAY_RESERVOIR_PER_SECOND + XRAY_FIXED_RATE * (traces_per_second - XRAY_RESERVOIR_PER_SECOND)
    return sampled / traces_per_second


# --- the bill ---------------------------------------------------------------------------------------


def usage_terms(usage: Usage, writes: float, facts: Mapping[str, Any]) -> list[Term]:
    """The usage-based terms for `writes` task writes in a month."""
    invocations = sum(usage.invocations.values()) * writes
    traces_per_second = invocations / SECONDS_PER_MONTH
    sampled = xray_sampled_share(traces_per_second) if facts["xray_default_sampling"] else 1.0
    log_bytes = (usage.log_bytes + usage.api_requests * facts["access_log_bytes"]) * writes
    by_function = ", ".join(
        f"{name} {usage.gb_seconds[name] * writes:,.1f}" for name in sorted(usage.gb_seconds)
    )
    return [
        Term("API Gateway HTTP API", usage.api_requests * writes, "requests", "api_gateway_http_request"),
        Term("Lambda requests", invocations, "invocations", "lambda_request"),
        Term(
            "Lambda arm64 duration",
            sum(usage.gb_seconds.values()) * writes,
            "GB-s",
            "lambda_arm64_gb_second",
            f"mean measured durations x memory: {by_function}",
        ),
        Term("DynamoDB writes", usage.wru * writes, "WRU", "dynamodb_write_request_unit"),
        Term("DynamoDB reads", usage.rru * writes, "RRU", "dynamodb_read_request_unit"),
        Term(
            "DynamoDB Streams reads",
            0.0,
            "RRU",
            "dynamodb_stream_read_request_unit",
            "read by Lambda's event source mappings: free",
        ),
        Term("EventBridge events", usage.events * writes, "events", "eventbridge_custom_event"),
        Term("EventBridge archive", usage.event_bytes * writes / GB, "GB", "eventbridge_archive_gb"),
        Term(
            "SQS requests",
            usage.sqs_messages * SQS_REQUESTS_PER_MESSAGE * writes,
            "requests",
            "sqs_standard_request",
            f"{SQS_REQUESTS_PER_MESSAGE} per message: send, receive, delete",
        ),
        Term(
            "Step Functions transitions",
            usage.transitions * writes,
            "transitions",
            "stepfunctions_standard_transition",
        ),
        Term("SNS publishes", usage.sns_publishes * writes, "publishes", "sns_publish"),
        Term("S3 archive PUTs", usage.s3_puts * writes, "PUTs", "s3_put_request"),
        Term(
            "CloudWatch Logs ingested",
            log_bytes / GB,
            "GB",
            "cloudwatch_logs_ingested_gb",
            "function logs and EMF as measured, Lambda's START/END/REPORT, API access log lines",
        ),
        Term(
            "X-Ray traces",
            invocations * sampled,
            "traces",
            "xray_trace_recorded",
            f"one per invocation at most, {sampled:.0%} sampled at this rate (default rule)",
        ),
    ]


def fixed_terms(facts: Mapping[str, Any], measured: Mapping[str, Any]) -> list[Term]:
    """What the stack costs each month whatever the traffic."""
    metrics = {
        (name, metric)
        for kind in measured["writes"].values()
        for name, numbers in kind.items()
        for metric in numbers["metrics"]
    }
    idle_requests = IDLE_POLLERS_PER_QUEUE * SECONDS_PER_MONTH / LONG_POLL_SECONDS
    queues = facts["polled_queues"]
    return [
        Term(
            "KMS customer managed keys", facts["kms_keys"], "keys", "kms_key_month", "modules/stack/keys.tf"
        ),
        Term(
            "CloudWatch alarms",
            sum(facts["alarms"].values()),
            "alarms",
            "cloudwatch_alarm_month",
            "; ".join(f"{count} {what}" for what, count in facts["alarms"].items()),
        ),
        Term(
            "Secrets Manager secrets",
            len(facts["secrets"]),
            "secrets",
            "secretsmanager_secret_month",
            ", ".join(facts["secrets"]),
        ),
        Term("CloudWatch dashboard", facts["dashboards"], "dashboards", "cloudwatch_dashboard_month"),
        Term(
            "CloudWatch custom metrics (EMF)",
            len(metrics),
            "metrics",
            "cloudwatch_custom_metric_month",
            "each function's metric names as measured",
        ),
        Term(
            "SQS long polls of idle queues",
            len(queues) * idle_requests,
            "requests",
            "sqs_standard_request",
            f"{len(queues)} queues x {IDLE_POLLERS_PER_QUEUE} pollers x one {LONG_POLL_SECONDS} s poll",
        ),
        Term("CodeDeploy to Lambda", 0, "deployments", "codedeploy_lambda_deployment", "no charge"),
    ]


def _table(title: str, terms: list[Term], prices: Mapping[str, Price], out: TextIO) -> float:
    print(f"\n{title}", file=out)
    print(f"  {'term':<32} {'quantity':>16} {'unit':<12} {'price':<20} {'USD':>10}", file=out)
    total = 0.0
    for term in terms:
        cost = term.cost(prices)
        total += cost
        price = prices[term.price].label()
        print(
            f"  {term.name:<32} {term.quantity:>16,.2f} {term.unit:<12} {price:<20} {cost:>10.4f}", file=out
        )
        if term.note:
            print(f"  {'':<32}   {term.note}", file=out)
    print(f"  {'sum':<83} {total:>10.4f}", file=out)
    return total


def report(
    *,
    prices: Mapping[str, Price],
    table: Mapping[str, Any],
    measured: Mapping[str, Any],
    traffic: Traffic,
    facts: Mapping[str, Any],
    out: TextIO = sys.stdout,
) -> dict[str, float]:
    usage = usage_per_write(measured, traffic)
    machine = measured["machine"]
    mix = ", ".join(f"{kind} {share:.0%}" for kind, share in traffic.mix.items())
    transitions = measured["approval"]["state_transitions"]
    print(
        f"prices: infra/pricing/{table['region']}.json (checked {table['checked_on']}; list prices, "
        f"no free tier)\n"
        f"measured: {MEASURED.relative_to(REPO_ROOT)} ({measured['measured_on']}, {measured['lifecycles']} "
        f"task lifecycles on moto, {machine['nproc']} x {machine['cpu']}: durations are this machine's)\n"
        f"a task write: {mix}; {traffic.approval_share_of_creates:.0%} of creates need approval "
        f"({transitions} state transitions each, counted in its execution history); every completed task "
        f"expires by TTL later",
        file=out,
    )
    per_million = _table("Per million task writes (usage)", usage_terms(usage, MILLION, facts), prices, out)
    low = traffic.low_writes_per_month
    usage_low = _table(f"A month of {low:,} task writes (usage)", usage_terms(usage, low, facts), prices, out)
    fixed = _table("Every month, whatever the traffic (fixed)", fixed_terms(facts, measured), prices, out)
    print(
        f"\ntotal per million task writes: ${per_million:,.2f} (usage; the fixed ${fixed:,.2f} a month "
        f"comes on top)\n"
        f"total for a month of {low:,} task writes: ${usage_low + fixed:,.2f} "
        f"(usage ${usage_low:,.2f} + fixed ${fixed:,.2f})",
        file=out,
    )
    return {"per_million": per_million, "low_usage": usage_low, "fixed": fixed}


def main(region: str = "us-east-1", out: TextIO = sys.stdout) -> int:
    try:
        prices, table = load_prices(PRICING / f"{region}.json")
        report(
            prices=prices,
            table=table,
            measured=load_measured(),
            traffic=Traffic(),
            facts=stack_facts(),
            out=out,
        )
    except CostError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
