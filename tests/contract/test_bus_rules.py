"""The bus rules (events/rules.json) route each sample event to exactly the queues it should reach.

Matching is moto's EventBridge, delivering to real SQS targets, as the local stack does: never a
pattern matcher of our own, and never moto's test_event_pattern (a stub).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tasks_local.runtime.bus import EventResources, provision_events, rules_definition, target_queue
from tasks_local.runtime.manifest import load_all
from tasks_shared.adapters.dynamodb.activity import MARKER_TTL_SECONDS
from tests.support.samples import EVENTS_DIR, load_event

PREFIX = "contract-tasks"
REGION = "us-east-1"

# Sample (events/samples/eventbridge/<name>.json) -> the queues it must reach, and no others.
EXPECTED_QUEUES = {
    "TaskCreated": {"task-created"},
    "TaskCreated-high": {"task-created", "approval-requests"},
    "TaskUpdated": {"task-updated"},
    "TaskUpdated-raised-to-high": {"task-updated", "approval-requests"},
    "TaskCompleted": {"task-completed"},
    "TaskDeleted": set(),  # archived, but no consumer yet
    # Consumer rules route on detail-type only; the consumer dead-letters what fails its schema.
    "invalid-TaskCreated": {"task-created"},
    # Approval rules accept only our own source: another publisher cannot open an approval.
    "external-TaskCreated": {"task-created"},
}
EVENTBRIDGE_SAMPLES = sorted(path.stem for path in (EVENTS_DIR / "samples" / "eventbridge").glob("*.json"))
SQS_SAMPLES = sorted(path.stem for path in (EVENTS_DIR / "samples" / "sqs").glob("*.json"))
RULES = rules_definition()["rules"]
MANIFESTS = load_all()


def consumers_of(queue: str) -> list[str]:
    """The functions whose manifest declares an sqs event on `queue`."""
    return [
        manifest.name
        for manifest in MANIFESTS.values()
        for event in manifest.events
        if event.get("sqs", {}).get("queue") == queue
    ]


@dataclass
class Bus:
    resources: EventResources
    events: Any
    sqs: Any

    def deliver(self, event: dict[str, Any]) -> set[str]:
        """Put `event` on the bus as a publisher does; the logical names of the queues it reached."""
        (entry,) = self.events.put_events(
            Entries=[
                {
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Detail": json.dumps(event["detail"]),
                    "EventBusName": self.resources.bus_name,
                }
            ]
        )["Entries"]
        assert "EventId" in entry, entry
        return {name for name, url in self._queue_urls() if entry["EventId"] in self._drain(url)}

    def archived_count(self) -> int:
        (archive,) = self.events.list_archives(EventSourceArn=self.resources.bus_arn)["Archives"]
        return archive["EventCount"]

    def _queue_urls(self) -> Iterator[tuple[str, str]]:
        # Every queue the stack has (DLQs aside), not only rule targets: a stray delivery shows up too.
        return ((name, queue.url) for name, queue in self.resources.queues.items())

    def _drain(self, url: str) -> set[str]:
        """Receive and delete what is on a queue (moto delivers inside put_events); the event ids."""
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return {json.loads(message["Body"])["id"] for message in messages}


@pytest.fixture(scope="module")
def bus() -> Iterator[Bus]:
    """The event side of the stack, provisioned once from its definitions (every test drains what it puts)."""
    with mock_aws():
        resources = provision_events(PREFIX, REGION, MANIFESTS)
        yield Bus(
            resources, boto3.client("events", region_name=REGION), boto3.client("sqs", region_name=REGION)
        )


def test_every_eventbridge_sample_has_an_expected_routing():
    # Given the samples on disk, Then each has a row in the routing table (and no row is stale)
    assert set(EXPECTED_QUEUES) == set(EVENTBRIDGE_SAMPLES)


@pytest.mark.parametrize(("name", "expected"), EXPECTED_QUEUES.items(), ids=list(EXPECTED_QUEUES))
def test_each_sample_reaches_exactly_its_expected_queues(bus: Bus, name: str, expected: set[str]):
    # Given a sample event
    event = load_event(f"samples/eventbridge/{name}")

    # When it is put on the bus
    reached = bus.deliver(event)

    # Then exactly the expected queues receive it
    assert reached == expected


def test_an_edit_that_leaves_priority_alone_does_not_open_another_approval(bus: Bus):
    # Given a high-priority task already awaiting approval, edited without touching its priority
    event = load_event("samples/eventbridge/TaskUpdated-raised-to-high")
    event["detail"]["changes"] = ["title"]
    event["detail"]["previous"] = {"title": "Migrate billing"}

    # When the update is put on the bus
    reached = bus.deliver(event)

    # Then only the task-updated consumer hears of it
    assert reached == {"task-updated"}


@pytest.mark.parametrize("queue", SQS_SAMPLES)
def test_every_sqs_sample_carries_an_event_routed_to_its_queue(bus: Bus, queue: str):
    # Given the EventBridge event inside a sample Lambda SQS event
    (record,) = load_event(f"samples/sqs/{queue}")["Records"]
    event = json.loads(record["body"])

    # When it is put on the bus
    reached = bus.deliver(event)

    # Then the queue the sample is named after receives it
    assert queue in reached


@pytest.mark.parametrize("rule_name", RULES)
def test_every_rule_target_queue_feeds_one_consumer_or_a_state_machine(rule_name: str):
    # Given a rule's target queue
    rule = RULES[rule_name]
    queue = target_queue(rule)

    # When we look for the functions that consume it
    consumers = consumers_of(queue)

    # Then exactly one function consumes it, or it is a state machine's requests queue and none does
    if "stateMachine" in rule["target"]:
        assert (queue, consumers) == (f"{rule['target']['stateMachine']}-requests", [])
    else:
        assert len(consumers) == 1, consumers


@pytest.mark.parametrize(
    "queue",
    sorted({event["sqs"]["queue"] for m in MANIFESTS.values() for event in m.events if "sqs" in event}),
)
def test_every_consumed_queue_is_the_target_of_a_rule(queue: str):
    # Given a queue a function consumes, Then some rule delivers to it
    assert queue in {target_queue(rule) for rule in RULES.values()}


def test_the_bus_has_an_archive_of_every_event(bus: Bus):
    # Given the bus's archive, as provisioned from rules.json
    (archive,) = bus.events.list_archives(EventSourceArn=bus.resources.bus_arn)["Archives"]
    definition = rules_definition()["archive"]

    # Then it is enabled, named and retained as defined
    assert (archive["ArchiveName"], archive["State"], archive["RetentionDays"]) == (
        f"{PREFIX}-{definition['name']}",
        "ENABLED",
        definition["retentionDays"],
    )


def test_every_consumer_queue_dead_letters_after_its_receives_and_keeps_dead_letters_14_days(bus: Bus):
    for manifest in load_all().values():
        for spec in (event["sqs"] for event in manifest.events if "sqs" in event):
            queue = bus.resources.queues[spec["queue"]]
            attributes = bus.sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])[
                "Attributes"
            ]
            redrive = json.loads(attributes["RedrivePolicy"])
            dead = bus.sqs.get_queue_attributes(QueueUrl=queue.dlq_url, AttributeNames=["All"])["Attributes"]
            assert int(redrive["maxReceiveCount"]) == spec["maxReceiveCount"]
            assert redrive["deadLetterTargetArn"] == dead["QueueArn"]
            assert int(dead["MessageRetentionPeriod"]) == 14 * 86400


def test_every_consumer_queue_hides_a_message_six_times_as_long_as_its_function_may_run():
    """AWS's rule for SQS event sources: a shorter visibility timeout lets a throttled or slow batch
    reappear while it is still being processed, and each reappearance counts towards the DLQ."""
    for manifest in load_all().values():
        for spec in (event["sqs"] for event in manifest.events if "sqs" in event):
            assert spec["visibilityTimeout"] >= 6 * manifest.timeout_seconds, manifest.name


def test_a_replay_from_the_archive_is_deduplicated_by_the_consumers():
    """Consumers remember an eventId as long as the archive can re-deliver it, and a little longer."""
    assert rules_definition()["archive"]["retentionDays"] * 86400 < MARKER_TTL_SECONDS


def test_the_archive_keeps_even_an_event_no_rule_routes(bus: Bus):
    # Given the number of events archived so far
    before = bus.archived_count()

    # When an event that no consumer subscribes to is put on the bus
    bus.deliver(load_event("samples/eventbridge/TaskDeleted"))

    # Then the archive holds one more
    assert bus.archived_count() == before + 1
