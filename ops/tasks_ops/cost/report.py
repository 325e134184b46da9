"""`make cost`: what an environment costs to run, term by term, so a reader can check every sum.

Three inputs, each a file in the repository:
- prices: infra/pricing/<region>.json, dated, each price with the AWS pricing page it came from;
- what a write sets running, measured by bench/pipeline_costs.py (measured/pipeline.json here): each
  function's invocations and mean duration per write kind, the bytes they log, the EMF metrics they
  emit, the AWS calls they make, the event bytes published, DynamoDB's write units per table (sized
  from the items moto held before and after each write: write_units.py's rules), and the state
  transitions of one approval run on the workflow;
- the environment, from infra/ and the manifests: its profile and tracing (infra/envs/<env>/
  terraform.tfvars: customer managed keys, dashboard, which alarms, custom metrics, each function's
  X-Ray mode and the sampling rule), the keys, alarms, secrets and queues Terraform declares.

What it cannot read from those is an assumption, named where it is used: the mix of writes (Traffic),
the size of Lambda's own log lines and of an access-log line, and how many pollers Lambda keeps on an
idle queue. Durations are moto's on this machine (loopback HTTP to an emulator, not DynamoDB over the
network), so the Lambda terms are an estimate of the right order, not a quote.
"""

import io
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
from tasks_ops import environments
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
# An Active Lambda function's sampling, which no X-Ray rule changes (the Lambda developer guide, "Visualize
# Lambda function invocations using AWS X-Ray"): the first request each second, then 5 % of the rest.
LAMBDA_SAMPLING = {"reservoir_per_second": 1, "fixed_rate": 0.05}
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

    def shares(self) -> dict[str, float]:
        """How often each kind of write happens per task write, an approval run and a TTL expiry included."""
        return {
            **self.mix,
            "ttl expiry": self.mix["complete"] * self.ttl_expiries_per_complete,
            "approval": self.mix["create"] * self.approval_share_of_creates,
        }


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
    executions: float = 0.0
    log_bytes: float = 0.0
    emf_bytes: float = 0.0  # of the log bytes, the EMF blobs
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


def measured_write_units(measured: Mapping[str, Any]) -> dict[str, dict[str, wu.Units]]:
    """The write units per table of each kind of write `make cost` prices, from the measurement."""
    raw = {
        kind: {table: wu.Units(used["table"], used["indexes"]) for table, used in tables.items()}
        for kind, tables in measured["write_units_per_write"].items()
    }
    return wu.priced(raw)


def _total(units: Mapping[str, wu.Units]) -> float:
    return sum(used.total for used in units.values())


def _functions_usage(functions: Mapping[str, Any], memory_mb: Mapping[str, int]) -> Usage:
    """Invocations, GB-seconds (each invocation's mean duration, billed per started ms), DynamoDB
    reads, logs, SQS messages, events, S3 and SNS calls of the functions a write ran."""
    invocations, gb_seconds = {}, {}
    rru = log_bytes = emf_bytes = sqs = events = event_bytes = s3 = sns = 0.0
    for name, measured in functions.items():
        count = measured["invocations_per_write"]
        invocations[name] = count
        gb_seconds[name] = count * math.ceil(measured["duration_ms_mean"]) / 1000 * memory_mb[name] / 1024
        log_bytes += count * (measured["log_bytes_per_invocation"] + LAMBDA_PLATFORM_LOG_BYTES)
        emf_bytes += count * measured["emf_bytes_per_invocation"]
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
        emf_bytes=emf_bytes,
        sqs_messages=sqs,
        events=events,
        event_bytes=event_bytes,
        s3_puts=s3,
        sns_publishes=sns,
    )


def write_usage(measured: Mapping[str, Any], kind: str) -> Usage:
    functions = measured["writes"][kind]
    memory = {name: spec["memory_mb"] for name, spec in measured["manifests"].items()}
    usage = _functions_usage(functions, memory)
    return replace(
        usage,
        api_requests=functions["tasks-api"]["invocations_per_write"],
        wru=_total(measured_write_units(measured)[kind]),
    )


def ttl_expiry_usage(measured: Mapping[str, Any]) -> Usage:
    """A completed task's TTL delete: the delete's stream work without its API call or its write."""
    functions = {name: f for name, f in measured["writes"]["delete"].items() if name != "tasks-api"}
    memory = {name: spec["memory_mb"] for name, spec in measured["manifests"].items()}
    return replace(
        _functions_usage(functions, memory), wru=_total(measured_write_units(measured)["ttl expiry"])
    )


def approval_extra_usage(measured: Mapping[str, Any]) -> Usage:
    """What an approval run adds to its high-priority create: the decision's API call, the workflow's
    execution, its state transitions and its writes of the task (the token stored, the decision
    recorded), and the functions those writes run (indexer, publisher, task-updated), as measured in
    one run."""
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
                "event_bytes_per_write": max(
                    0,
                    numbers.get("event_bytes_per_write", 0)
                    - create.get(name, {}).get("event_bytes_per_write", 0),
                ),
            }
    usage = _functions_usage(extra, memory)
    return replace(
        usage,
        api_requests=extra.get("tasks-api", {}).get("invocations_per_write", 0),
        wru=_total(measured_write_units(measured)["approval"]),
        transitions=measured["approval"]["state_transitions"],
        executions=1,
        sns_publishes=usage.sns_publishes + 1,  # NotifyApprovers
    )


def _minus(run: Mapping[str, float], create: Mapping[str, Any]) -> dict:
    base = create.get("aws_calls_per_write", {})
    return {name: max(0.0, count - base.get(name, 0)) for name, count in run.items()}


def usage_per_write(measured: Mapping[str, Any], traffic: Traffic) -> Usage:
    """The expected usage of one task write under the traffic mix."""
    shares = traffic.shares()
    total = Usage()
    for kind, share in traffic.mix.items():
        total = total.plus(write_usage(measured, kind), share)
    total = total.plus(ttl_expiry_usage(measured), shares["ttl expiry"])
    return total.plus(approval_extra_usage(measured), shares["approval"])


# --- the stack's fixed parts, read from infra/ and the manifests ----------------------------------


def _plain_hcl(path: Path) -> dict[str, Any]:
    return hcl2.loads(
        path.read_text(), serialization_options=hcl2.SerializationOptions(strip_string_quotes=True)
    )


def environment(env: str) -> dict[str, Any]:
    """The environment's profile and tracing, as its terraform.tfvars sets them."""
    settings = _plain_hcl(environments.root(env) / "terraform.tfvars")
    missing = [name for name in ("profile", "tracing") if name not in settings]
    if missing:
        raise CostError(f"infra/envs/{env}/terraform.tfvars sets no {', '.join(missing)}")
    return {"profile": settings["profile"], "tracing": settings["tracing"]}


def stack_facts(env: str) -> dict[str, Any]:
    """Counts of what one environment is billed for by the month, and its tracing, from the definitions
    and the tfvars Terraform reads."""
    import yaml  # noqa: PLC0415

    settings = environment(env)
    profile = settings["profile"]
    manifests = [yaml.safe_load(path.read_text()) for path in manifest_paths()]
    events = [event for manifest in manifests for event in manifest.get("events", [])]
    sqs_queues = sorted({event["sqs"]["queue"] for event in events if "sqs" in event})
    stream_functions = [
        m["name"] for m in manifests if any("stream" in event for event in m.get("events", []))
    ]
    failure_queues = {event["stream"]["onFailure"]["queue"] for event in events if "stream" in event}
    keys_locals = next(
        block for block in _plain_hcl(REPO_ROOT / "infra/modules/stack/keys.tf")["locals"] if "keys" in block
    )
    # Without keys of its own, an environment keeps those no AWS key can stand in for.
    kept_keys = keys_locals["keys"] if profile["customer_managed_keys"] else keys_locals["no_aws_key_serves"]
    secrets = [
        name
        for path in (REPO_ROOT / "infra" / "modules").rglob("*.tf")
        for block in re.findall(
            r'resource "aws_secretsmanager_secret" "\w+" \{(.*?)\n\}', path.read_text(), re.S
        )
        for name in re.findall(r'"(\w+)"', re.search(r"for_each\s*=\s*toset\(\[(.*?)\]\)", block)[1])
    ]
    state_machines = list((REPO_ROOT / "statemachines").glob("*.asl.json"))
    # modules/observability/alarms.tf: the rollback alarms (outputs.tf's function_alarm_names) are kept
    # in every environment, the others only where profile.alarms is "all".
    alarms = {
        "errors, per function": len(manifests),
        "iterator age, per stream reader": len(stream_functions),
        "API 5xx and p99 latency": 2,
    }
    if profile["alarms"] == "all":
        alarms |= {
            "throttles, per function": len(manifests),
            "dead letters, per DLQ or failure queue (+ the bus's)": len(sqs_queues) + len(failure_queues) + 1,
            "failed and timed-out executions, per state machine": 2 * len(state_machines),
        }
    fields = re.findall(r"(\w+)\s*=\s*\"\$context", (REPO_ROOT / "infra/modules/api/stage.tf").read_text())
    access_line = json.dumps({name: ACCESS_LOG_VALUES.get(name, "-") for name in fields})
    return {
        "env": env,
        "profile": profile,
        "tracing": settings["tracing"],
        "kms_keys": len(kept_keys),
        "kms_key_kinds": sorted(kept_keys),
        "secrets": secrets,
        "alarms": alarms,
        "dashboards": 1 if profile["dashboard"] else 0,
        "custom_metrics": profile["custom_metrics"],
        "polled_queues": sqs_queues,
        "access_log_bytes": len(access_line.encode()) + 1,
    }


def xray_sampled_share(requests_per_second: float, rule: Mapping[str, float]) -> float:
    """Of the requests at this steady rate, the share a sampling rule records: its reservoir each second,
    then its fixed rate of the rest."""
    if requests_per_second <= 0:
        return 0.0
    reservoir = min(rule["reservoir_per_second"], requests_per_second)
    return (reservoir + rule["fixed_rate"] * (requests_per_second - reservoir)) / requests_per_second


# --- the bill ---------------------------------------------------------------------------------------


def _traces(usage: Usage, writes: float, tracing: Mapping[str, Any]) -> list[Term]:
    """X-Ray's traces: the functions' under Lambda's own sampling when Active (none when PassThrough:
    no caller of ours samples, the HTTP API has no tracing), the workflow's under the sampling rule."""
    invocations = sum(usage.invocations.values()) * writes
    executions = usage.executions * writes
    active = tracing["lambda_mode"] == "Active"
    functions = xray_sampled_share(invocations / SECONDS_PER_MONTH, LAMBDA_SAMPLING) if active else 0.0
    workflow = xray_sampled_share(executions / SECONDS_PER_MONTH, tracing)
    rule = f"{tracing['reservoir_per_second']} a second, then {tracing['fixed_rate']:.0%}"
    return [
        Term(
            "X-Ray traces, functions",
            invocations * functions,
            "traces",
            "xray_trace_recorded",
            f"{tracing['lambda_mode']}: "
            + (
                f"one per invocation at most, {functions:.0%} sampled at this rate (Lambda's own 1/s + 5 %)"
                if active
                else "traced only when a caller sampled the request; none of ours does"
            ),
        ),
        Term(
            "X-Ray traces, workflow",
            executions * workflow,
            "traces",
            "xray_trace_recorded",
            f"one per approval, {workflow:.0%} sampled by the environment's rule ({rule})",
        ),
    ]


def usage_terms(usage: Usage, writes: float, facts: Mapping[str, Any]) -> list[Term]:
    """The usage-based terms for `writes` task writes in a month."""
    invocations = sum(usage.invocations.values()) * writes
    function_logs = usage.log_bytes - (0.0 if facts["custom_metrics"] else usage.emf_bytes)
    log_bytes = (function_logs + usage.api_requests * facts["access_log_bytes"]) * writes
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
        Term(
            "DynamoDB writes",
            usage.wru * writes,
            "WRU",
            "dynamodb_write_request_unit",
            f"{usage.wru:.2f} per task write, measured (the table above)",
        ),
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
            "function logs"
            + (" and EMF" if facts["custom_metrics"] else " (no EMF here)")
            + " as measured, Lambda's START/END/REPORT, API access log lines",
        ),
        *_traces(usage, writes, facts["tracing"]),
    ]


def fixed_terms(facts: Mapping[str, Any], measured: Mapping[str, Any]) -> list[Term]:
    """What the stack costs each month whatever the traffic."""
    metrics = {
        (name, metric)
        for kind in measured["writes"].values()
        for name, numbers in kind.items()
        for metric in numbers["metrics"]
        if facts["custom_metrics"]
    }
    idle_requests = IDLE_POLLERS_PER_QUEUE * SECONDS_PER_MONTH / LONG_POLL_SECONDS
    queues = facts["polled_queues"]
    return [
        Term(
            "KMS customer managed keys",
            facts["kms_keys"],
            "keys",
            "kms_key_month",
            ", ".join(facts["kms_key_kinds"])
            + (
                ""
                if facts["profile"]["customer_managed_keys"]
                else ": no AWS key serves; AWS's hold the rest"
            )
            + " (modules/stack/keys.tf)",
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
            "each function's metric names as measured"
            if facts["custom_metrics"]
            else "none: POWERTOOLS_METRICS_DISABLED in this environment",
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


def write_units_table(measured: Mapping[str, Any], traffic: Traffic, out: TextIO) -> float:
    """DynamoDB's write units of each kind of write, per table (its own + its indexes'), as measured;
    and of one task write of the mix. Returns the latter."""
    by_kind = measured_write_units(measured)
    shares = traffic.shares()
    tables = sorted({table for units in by_kind.values() for table in units})
    per_write = wu.per_task_write(by_kind, shares)
    print("\nDynamoDB write units per write, measured (the table's own + its indexes')", file=out)
    print(
        f"  {'write':<12} {'per task write':>14}" + "".join(f"{t:>16}" for t in tables) + f"{'all':>8}",
        file=out,
    )
    rows = [(kind, f"{shares[kind]:.3f}", by_kind[kind]) for kind in shares]
    for kind, share, units in [*rows, ("a task write", "", per_write)]:
        cells = "".join(
            f"{units[t].table:>9.2f} + {units[t].indexes:>4.1f}" if t in units else f"{'-':>16}"
            for t in tables
        )
        print(f"  {kind:<12} {share:>14}{cells}{_total(units):>8.2f}", file=out)
    return _total(per_write)


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
    profile, tracing = facts["profile"], facts["tracing"]
    kept = ", ".join(
        f"{name.replace('_', ' ')} {'yes' if value is True else 'no' if value is False else value}"
        for name, value in profile.items()
    )
    print(
        f"environment: {facts['env']} (infra/envs/{facts['env']}/terraform.tfvars: {kept}; functions "
        f"traced {tracing['lambda_mode']}, sampling rule {tracing['reservoir_per_second']}/s + "
        f"{tracing['fixed_rate']:.0%})\n"
        f"prices: infra/pricing/{table['region']}.json (checked {table['checked_on']}; list prices, "
        f"no free tier)\n"
        f"measured: {MEASURED.relative_to(REPO_ROOT)} ({measured['measured_on']}, {measured['lifecycles']} "
        f"task lifecycles on moto, {machine['nproc']} x {machine['cpu']}: durations are this machine's)\n"
        f"a task write: {mix}; {traffic.approval_share_of_creates:.0%} of creates need approval "
        f"({transitions} state transitions each, counted in its execution history); every completed task "
        f"expires by TTL later",
        file=out,
    )
    write_units_table(measured, traffic, out)
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


def main(env: str | None = None, region: str = "us-east-1", out: TextIO = sys.stdout) -> int:
    """One environment's bill, term by term; without one, the three side by side."""
    try:
        prices, table = load_prices(PRICING / f"{region}.json")
        inputs = {"prices": prices, "table": table, "measured": load_measured(), "traffic": Traffic()}
        if env:
            report(**inputs, facts=stack_facts(environments.checked(env)), out=out)
            return 0
        header = ("environment", "per million task writes", "fixed a month", "a month of 10,000")
        print("{:<12} {:>24} {:>14} {:>18}".format(*header), file=out)
        for name in environments.ENVIRONMENTS:
            totals = report(**inputs, facts=stack_facts(name), out=io.StringIO())
            low = totals["low_usage"] + totals["fixed"]
            print(
                f"{name:<12} {totals['per_million']:>24,.2f} {totals['fixed']:>14,.2f} {low:>18,.2f}",
                file=out,
            )
        print("\nUSD; make cost ENV=<env> prints one environment's bill term by term", file=out)
    except (CostError, environments.Missing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
