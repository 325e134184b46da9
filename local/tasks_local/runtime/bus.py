"""Event-side resources, created from the same definitions Terraform creates them from in AWS.

The bus, its archive and rules come from events/rules.json; each consumer's queue and DLQ from the
`sqs` event of its manifest; the stream publisher's on-failure queue from its `stream` event. Rule
targets are SQS queues. moto cannot deliver to Step Functions, so a `stateMachine` target gets a
queue (`<prefix>-<machine>-requests`) for the local runtime to drain instead (once the workflow exists;
until then its requests wait there).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boto3

from tasks_local.runtime.manifest import Manifest
from tasks_local.runtime.settings import REPO_ROOT

ACCOUNT_ID = "123456789012"  # moto's default account


RULES_PATH = REPO_ROOT / "events" / "rules.json"


def read_rules(path: Path = RULES_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


@cache
def rules_definition() -> dict[str, Any]:
    """The rules as the stack was created with (a saved change is applied by runtime/reload.py)."""
    return read_rules()


@dataclass(frozen=True)
class Queue:
    name: str
    url: str
    arn: str
    dlq_url: str | None = None


@dataclass
class EventResources:
    bus_name: str
    bus_arn: str
    bucket: str
    topic_arn: str
    queues: dict[str, Queue] = field(default_factory=dict)  # by logical name ("task-created")


def event_resource_names(prefix: str, region: str) -> dict[str, Any]:
    """Manifest placeholder values for the event side (bus, bucket, topic)."""
    return {
        "bus": {"name": f"{prefix}-bus"},
        "buckets": {"archive": f"{prefix}-archive"},
        "topics": {"notifications": f"arn:aws:sns:{region}:{ACCOUNT_ID}:{prefix}-notifications"},
    }


def _queue_specs(manifests: dict[str, Manifest]) -> dict[str, dict[str, Any]]:
    """Logical queue name -> its settings, from every manifest and rule that names a queue."""
    specs: dict[str, dict[str, Any]] = {}
    for manifest in manifests.values():
        for event in manifest.events:
            if "sqs" in event:
                specs[event["sqs"]["queue"]] = {"dlq": True, **event["sqs"]}
            if "stream" in event and "onFailure" in event["stream"]:
                specs[event["stream"]["onFailure"]["queue"]] = {"dlq": False}
    for rule in rules_definition()["rules"].values():
        machine = rule["target"].get("stateMachine")
        if machine:
            specs.setdefault(f"{machine}-requests", {"dlq": True})
    return specs


def target_queue(rule: dict[str, Any]) -> str:
    """The logical queue a rule delivers to (locally, a state machine's requests queue)."""
    target = rule["target"]
    return target["queue"] if "queue" in target else f"{target['stateMachine']}-requests"


DLQ_RETENTION_SECONDS = 14 * 86400  # the SQS maximum


def _create_queue(sqs: Any, name: str, spec: dict[str, Any]) -> Queue:
    dlq_url = None
    attributes = {"VisibilityTimeout": str(spec.get("visibilityTimeout", 30))}
    if spec["dlq"]:
        # SQS keeps a message 4 days by default, counted from its first enqueue: a dead letter keeps
        # the longest retention there is, so a weekend is not enough to lose it.
        dlq_url = sqs.create_queue(
            QueueName=f"{name}-dlq", Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.get("maxReceiveCount", 5)}
        attributes["RedrivePolicy"] = json.dumps(redrive)
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name=name, url=url, arn=arn, dlq_url=dlq_url)


def put_rules(
    events: Any, prefix: str, bus_name: str, rules: dict[str, dict[str, Any]], queues: dict[str, Queue]
) -> None:
    """Create or update each rule (PutRule and PutTargets are idempotent: the same calls apply a change)."""
    for rule_name, rule in rules.items():
        name = f"{prefix}-{rule_name}"
        events.put_rule(
            Name=name,
            EventBusName=bus_name,
            EventPattern=json.dumps(rule["eventPattern"]),
            Description=rule["description"],
            State="ENABLED",
        )
        events.put_targets(
            Rule=name,
            EventBusName=bus_name,
            Targets=[{"Id": "target", "Arn": queues[target_queue(rule)].arn}],
        )


def update_rules(
    events: Any,
    prefix: str,
    resources: EventResources,
    rules: dict[str, dict[str, Any]],
    *,
    existing: set[str],
) -> tuple[list[str], list[str]]:
    """Saved rules applied as Terraform applies them: each rule put again, each rule of `existing` taken
    out deleted (its target first). A rule whose queue the stack lacks is left alone. (applied, deleted)"""
    queues, bus_name = resources.queues, resources.bus_name
    applicable = {name: rule for name, rule in rules.items() if target_queue(rule) in queues}
    put_rules(events, prefix, bus_name, applicable, queues)
    deleted = sorted(existing - rules.keys())
    for rule_name in deleted:
        events.remove_targets(Rule=f"{prefix}-{rule_name}", EventBusName=bus_name, Ids=["target"])
        events.delete_rule(Name=f"{prefix}-{rule_name}", EventBusName=bus_name)
    return sorted(applicable), deleted


def provision_events(
    prefix: str, region: str, manifests: dict[str, Manifest], client: Callable[[str], Any] = boto3.client
) -> EventResources:
    """Create the bus, archive, queues, rules, bucket and topic; works against moto server or mock_aws."""
    names = event_resource_names(prefix, region)
    events, sqs = client("events"), client("sqs")
    bus_arn = events.create_event_bus(Name=names["bus"]["name"])["EventBusArn"]
    definition = rules_definition()
    archive = definition["archive"]
    events.create_archive(
        ArchiveName=f"{prefix}-{archive['name']}",
        EventSourceArn=bus_arn,
        Description=archive["description"],
        RetentionDays=archive["retentionDays"],
    )
    queues = {
        logical: _create_queue(sqs, f"{prefix}-{logical}", spec)
        for logical, spec in _queue_specs(manifests).items()
    }
    put_rules(events, prefix, names["bus"]["name"], definition["rules"], queues)
    s3 = client("s3")
    bucket = names["buckets"]["archive"]
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    topic_arn = client("sns").create_topic(Name=f"{prefix}-notifications")["TopicArn"]
    return EventResources(names["bus"]["name"], bus_arn, bucket, topic_arn, queues)
