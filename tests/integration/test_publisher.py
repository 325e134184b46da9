"""The stream publisher against moto's EventBridge: a real bus whose catch-all rule fills an SQS queue,
so each test sees exactly what got through. Failures are injected by a wrapper around the real client."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from task_publisher import config, handler
from task_publisher.publisher import EventPublisher
from tasks_local.runtime.functions import LambdaContext
from tests.integration.fakes import ALWAYS, FlakyEvents
from tests.support.samples import load_event

BUS = "test-tasks-bus"


class Sink:
    """The queue behind the bus's catch-all rule."""

    def __init__(self, sqs: Any, url: str) -> None:
        self._sqs, self._url = sqs, url

    def drain(self) -> list[dict[str, Any]]:
        """Every event delivered so far (EventBridge envelopes), removing them from the queue."""
        events = []
        while messages := self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                events.append(json.loads(message["Body"]))
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return events


@pytest.fixture
def events_client(aws) -> Any:
    return boto3.client("events")


@pytest.fixture
def sink(events_client) -> Sink:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="publisher-sink")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events_client.create_event_bus(Name=BUS)
    events_client.put_rule(Name="everything", EventBusName=BUS, EventPattern='{"source": ["tasks.service"]}')
    events_client.put_targets(Rule="everything", EventBusName=BUS, Targets=[{"Id": "sink", "Arn": arn}])
    return Sink(sqs, url)


class Sleeps(list):
    """A sleep that records how long it was asked to wait, and doesn't."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def publisher_for(events_client, sleeps):
    """A publisher on the test bus over the given client (the real one by default); it never sleeps."""

    def make(client: Any = None) -> EventPublisher:
        return EventPublisher(client or events_client, BUS, sleep=sleeps, jitter=lambda _low, high: high)

    return make


def inserts(count: int) -> dict[str, Any]:
    """A stream batch of `count` task creations (task-000, task-001...), from the insert sample."""
    records = []
    for number in range(count):
        record = load_event("stream/insert")["Records"][0]
        task_id = f"task-{number:03d}"
        record["eventID"] = f"{number:032x}"
        record["dynamodb"]["Keys"]["id"]["S"] = record["dynamodb"]["NewImage"]["id"]["S"] = task_id
        record["dynamodb"]["SequenceNumber"] = str(1100000000017454500000 + number)
        records.append(record)
    return {"Records": records}


def sequence_number(batch: dict[str, Any], position: int) -> str:
    return batch["Records"][position]["dynamodb"]["SequenceNumber"]


def task_ids(events: list[dict[str, Any]]) -> list[str]:
    return sorted(event["detail"]["task"]["id"] for event in events)


def publish(batch: dict[str, Any], publisher: EventPublisher) -> dict[str, Any]:
    return handler.handle(batch, LambdaContext("task-publisher"), publisher)


# --- the samples, end to end ------------------------------------------------------------------------


def test_each_sample_change_reaches_the_bus_as_its_events(sink, publisher_for):
    # Given one batch of every sample change, in stream order
    names = ("insert", "modify", "modify-completed", "modify-expiry-set", "ttl-expired", "remove")
    batch = {"Records": [load_event(f"stream/{name}")["Records"][0] for name in names]}
    # When it is published
    response = publish(batch, publisher_for())
    # Then every event arrived, none failed, and the TTL write published nothing
    delivered = sorted(event["detail-type"] for event in sink.drain())
    assert (response, delivered) == (
        {"batchItemFailures": []},
        ["TaskCompleted", "TaskCreated", "TaskDeleted", "TaskDeleted", "TaskUpdated", "TaskUpdated"],
    )


def test_the_bus_event_carries_the_detail_and_the_time_of_the_change(sink, publisher_for):
    # Given the insert sample
    # When it is published
    publish(load_event("stream/insert"), publisher_for())
    # Then the delivered event is our source's, stamped with the change's time
    (event,) = sink.drain()
    assert (event["source"], event["time"], event["detail"]["metadata"]["correlationId"]) == (
        "tasks.service",
        "2026-11-21T21:46:40Z",
        "sample-create-task",
    )


# --- chunking and retries ---------------------------------------------------------------------------


def test_more_than_ten_entries_are_sent_in_chunks_of_ten(sink, publisher_for):
    # Given 23 task creations
    client = FlakyEvents(boto3.client("events"))
    # When they are published
    publish(inserts(23), publisher_for(client))
    # Then the first attempt takes three calls
    assert [len(call) for call in client.calls] == [10, 10, 3]


def test_only_the_failed_entries_are_retried(sink, publisher_for):
    # Given 23 creations, of which task-004 and task-021 (in different chunks) fail once
    client = FlakyEvents(boto3.client("events"), failures={"task-004": 1, "task-021": 1})
    # When they are published
    publish(inserts(23), publisher_for(client))
    # Then one retry call re-sends those two entries only
    assert client.calls[3:] == [["task-004", "task-021"]]


def test_every_event_arrives_exactly_once_when_the_retries_succeed(sink, publisher_for):
    # Given 23 creations, three of which fail their first two attempts
    failures = {"task-000": 2, "task-010": 2, "task-022": 2}
    client = FlakyEvents(boto3.client("events"), failures=failures)
    # When they are published
    response = publish(inserts(23), publisher_for(client))
    # Then each task's event is on the bus once, and the batch succeeded
    assert (task_ids(sink.drain()), response) == (
        [f"task-{number:03d}" for number in range(23)],
        {"batchItemFailures": []},
    )


def test_a_throttled_call_counts_as_all_its_entries_failed(sink, publisher_for):
    # Given 12 creations and a bus that throttles the first call (the first ten entries)
    client = FlakyEvents(boto3.client("events"), throttled_calls=1)
    # When they are published
    publish(inserts(12), publisher_for(client))
    # Then the retry re-sends exactly those ten
    assert client.calls[2] == [f"task-{number:03d}" for number in range(10)]


def test_retries_back_off_exponentially_and_stop_after_four_attempts(sink, publisher_for, sleeps):
    # Given an entry that never gets through
    client = FlakyEvents(boto3.client("events"), failures={"task-000": ALWAYS})
    # When it is published
    publish(inserts(1), publisher_for(client))
    # Then it was tried four times, waiting twice as long each time (at most, with jitter)
    assert (len(client.calls), sleeps) == (4, [0.2, 0.4, 0.8])


# --- what still fails -------------------------------------------------------------------------------


def test_an_entry_that_keeps_failing_names_the_earliest_failed_record(sink, publisher_for):
    # Given five creations of which the 2nd and 4th never get through
    batch = inserts(5)
    client = FlakyEvents(boto3.client("events"), failures={"task-001": ALWAYS, "task-003": ALWAYS})
    # When they are published
    response = publish(batch, publisher_for(client))
    # Then Lambda is told to resume from the 2nd record
    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_number(batch, 1)}]}


def test_records_before_the_failed_one_were_delivered(sink, publisher_for):
    # Given five creations of which the 3rd never gets through
    client = FlakyEvents(boto3.client("events"), failures={"task-002": ALWAYS})
    # When they are published
    publish(inserts(5), publisher_for(client))
    # Then the events of the records Lambda will not redeliver are on the bus
    assert {"task-000", "task-001"} <= set(task_ids(sink.drain()))


def test_a_completion_whose_second_event_fails_is_redelivered_whole(sink, publisher_for):
    # Given a completion whose TaskCompleted entry never gets through (its TaskUpdated does)
    batch = load_event("stream/modify-completed")
    client = FlakyEvents(boto3.client("events"), failures={"TaskCompleted": ALWAYS})
    # When it is published
    response = publish(batch, publisher_for(client))
    # Then the record is reported failed, though half of it was delivered
    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_number(batch, 0)}]}


def test_a_record_that_is_not_a_task_is_reported_and_the_rest_published(sink, publisher_for):
    # Given three creations, the 2nd of which has lost its title
    batch = inserts(3)
    del batch["Records"][1]["dynamodb"]["NewImage"]["title"]
    # When they are published
    response = publish(batch, publisher_for())
    # Then it is reported for Lambda to retry and send to the on-failure destination; the 1st got through
    delivered = task_ids(sink.drain())
    assert (response["batchItemFailures"], "task-000" in delivered) == (
        [{"itemIdentifier": sequence_number(batch, 1)}],
        True,
    )


# --- the Lambda entry point -------------------------------------------------------------------------


@pytest.fixture
def fresh_container(monkeypatch) -> Iterator[None]:
    """A cold start: configuration and client built anew from this test's environment."""
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    config.settings.cache_clear()
    handler.default_publisher.cache_clear()
    yield
    config.settings.cache_clear()
    handler.default_publisher.cache_clear()


def test_lambda_handler_publishes_to_the_configured_bus(sink, fresh_container):
    # Given a container configured with the test bus
    # When Lambda invokes the handler with the insert sample
    response = handler.lambda_handler(load_event("stream/insert"), LambdaContext("task-publisher"))
    # Then the event is on that bus and nothing failed
    assert (response, len(sink.drain())) == ({"batchItemFailures": []}, 1)
