"""The three event consumers against moto: real queues with DLQs, bucket, topic and tables.

SQS events are built in Lambda's shape around EventBridge-shaped bodies from events/samples/.
"""

import io
import json
import os
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

import boto3
import pytest

from task_completed import handler as completed
from task_created import handler as created
from task_created import logger as created_logger
from task_updated import handler as updated
from tasks_local.runtime.bus import Queue
from tasks_local.runtime.functions import LambdaContext
from tasks_shared.adapters.dynamodb.items import from_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.memory import RecordingApprovals
from tasks_shared.adapters.sns import AssignmentNotifier
from tasks_shared.domain.activity import HistoryEntry
from tasks_shared.domain.events import parse_event
from tasks_shared.domain.model import Caller
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService
from tests.support.samples import load_event

# --- fixtures and builders ------------------------------------------------------------------------


@pytest.fixture
def inbox(resources) -> str:
    """An SQS queue subscribed to the notifications topic: what subscribers would receive."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=resources.topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def received(queue_url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
    )
    return messages.get("Messages", [])


def notifications(inbox_url: str) -> list[dict[str, Any]]:
    """The SNS notifications delivered to the inbox, each as its envelope (Message, MessageAttributes)."""
    return [json.loads(message["Body"]) for message in received(inbox_url)]


def bridge_event(sample: str, **detail: Any) -> dict[str, Any]:
    """An EventBridge event from events/samples/eventbridge/, with a fresh eventId and detail overrides."""
    event = load_event(f"samples/eventbridge/{sample}")
    event["detail"]["metadata"]["eventId"] = str(uuid.uuid4())
    for key, value in detail.items():
        event["detail"][key] = value
    return event


def with_task(event: dict[str, Any], **fields: Any) -> dict[str, Any]:
    event["detail"]["task"] = {**event["detail"]["task"], **fields}
    return event


def sqs_batch(queue: Queue, *bodies: dict[str, Any] | str) -> dict[str, Any]:
    """A Lambda SQS event with one record per body (an event, or raw text), from the sample's shape."""
    template = load_event("samples/sqs/task-created")["Records"][0]
    records = [
        {
            **template,
            "messageId": str(uuid.uuid4()),
            "body": body if isinstance(body, str) else json.dumps(body),
            "eventSourceARN": queue.arn,
        }
        for body in bodies
    ]
    return {"Records": records}


def context(name: str) -> LambdaContext:
    return LambdaContext(name)


def stats_item(aws, owner: str) -> dict[str, Any]:
    item = aws.get_item(
        TableName=os.environ["ACTIVITY_TABLE"], Key={"pk": {"S": f"OWNER#{owner}"}, "sk": {"S": "STATS"}}
    ).get("Item")
    return from_item(item) if item else {}


@pytest.fixture
def logs():
    """What the task-created logger writes, one JSON object per line."""
    handler = created_logger.registered_handler
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


# --- task-created -----------------------------------------------------------------------------------


def test_created_event_counts_the_task_for_its_owner_and_priority(aws, resources, created_deps):
    batch = sqs_batch(resources.queues["task-created"], bridge_event("TaskCreated"))

    response = created.handle(batch, context("task-created"), created_deps)

    assert response == {"batchItemFailures": []}
    counters = stats_item(aws, "alice")
    assert (counters["created"], counters["createdMedium"]) == (1, 1)


def test_created_event_delivered_twice_counts_once(aws, resources, created_deps):
    event = bridge_event("TaskCreated")
    queue = resources.queues["task-created"]

    created.handle(sqs_batch(queue, event), context("task-created"), created_deps)
    created.handle(sqs_batch(queue, event), context("task-created"), created_deps)

    assert stats_item(aws, "alice")["created"] == 1


def test_same_event_twice_in_one_batch_counts_once(aws, resources, created_deps):
    event = bridge_event("TaskCreated")

    created.handle(sqs_batch(resources.queues["task-created"], event, event), None, created_deps)

    assert stats_item(aws, "alice")["created"] == 1


def test_a_commit_that_finds_the_event_recorded_changes_nothing(aws, activity):
    """Two deliveries racing past the early check: the second transaction is cancelled as a whole."""
    activity.record_once("event-1", "task-created", owner_id="alice", counts={"created": 1})

    again = activity.record_once("event-1", "task-created", owner_id="alice", counts={"created": 1})

    assert again is False
    assert stats_item(aws, "alice")["created"] == 1


def test_created_event_appends_a_created_entry_to_the_history(resources, created_deps, activity):
    event = bridge_event("TaskCreated")

    created.handle(sqs_batch(resources.queues["task-created"], event), None, created_deps)

    [entry] = activity.history(event["detail"]["task"]["id"], limit=10).items
    assert (entry.type, entry.actor, entry.event_id) == (
        "created",
        "alice",
        event["detail"]["metadata"]["eventId"],
    )
    assert {change.field: change.current for change in entry.changes}[
        "title"
    ] == "Prepare the quarterly report"


def test_created_event_notifies_the_assignee_with_public_fields_only(resources, created_deps, inbox):
    event = bridge_event("TaskCreated")
    task = event["detail"]["task"]

    created.handle(sqs_batch(resources.queues["task-created"], event), None, created_deps)

    [notification] = notifications(inbox)
    assert json.loads(notification["Message"]) == {
        "type": "TaskAssigned",
        "taskId": task["id"],
        "title": task["title"],
        "assignee": "bob",
        "ownerId": "alice",
    }
    assert notification["MessageAttributes"]["recipient"]["Value"] == "bob"


def test_created_event_without_an_assignee_notifies_nobody(resources, created_deps, inbox):
    event = bridge_event("TaskCreated")
    del event["detail"]["task"]["assignee"]

    created.handle(sqs_batch(resources.queues["task-created"], event), None, created_deps)

    assert notifications(inbox) == []


# --- poison messages and failures -------------------------------------------------------------------


def test_poison_message_is_dead_lettered_with_its_reason_and_the_rest_of_the_batch_is_processed(
    aws, resources, created_deps
):
    queue = resources.queues["task-created"]
    poison = load_event("samples/eventbridge/invalid-TaskCreated")
    batch = sqs_batch(queue, bridge_event("TaskCreated"), poison, bridge_event("TaskCreated"))

    response = created.handle(batch, None, created_deps)

    assert response == {"batchItemFailures": []}
    assert stats_item(aws, "alice")["created"] == 2
    [dead] = received(queue.dlq_url)
    assert json.loads(dead["Body"]) == poison
    assert "breaks the catalog schema" in dead["MessageAttributes"]["reason"]["StringValue"]
    assert dead["MessageAttributes"]["sourceMessageId"]["StringValue"] == batch["Records"][1]["messageId"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "the body is not JSON"),
        (json.dumps({"detail-type": "TaskCreated"}), "the body is not an EventBridge event (no detail)"),
        (
            json.dumps(load_event("samples/eventbridge/TaskUpdated")),
            "detail-type 'TaskUpdated' is not TaskCreated",
        ),
        (
            json.dumps({"detail-type": "TaskArchived", "detail": {}}),
            "detail-type 'TaskArchived' is not TaskCreated",
        ),
    ],
)
def test_a_message_the_consumer_cannot_read_is_dead_lettered_with_the_reason(
    resources, created_deps, body, reason
):
    queue = resources.queues["task-created"]

    response = created.handle(sqs_batch(queue, body), None, created_deps)

    assert response == {"batchItemFailures": []}
    [dead] = received(queue.dlq_url)
    assert (dead["Body"], dead["MessageAttributes"]["reason"]["StringValue"]) == (body, reason)


def _with_numbers(event: dict[str, Any], where: str) -> str:
    """The sample's JSON text with a number DynamoDB cannot store as a float, where the schema has none."""
    detail = event["detail"]
    if where == "previous":
        detail["changes"], detail["previous"] = (
            ["approval"],
            {"approval": {"status": "awaiting", "score": 0.5}},
        )
    else:
        detail["task"]["version"] = 2.5
    return json.dumps(event)


@pytest.mark.parametrize("where", ["previous", "task"])
def test_an_event_with_numbers_the_schema_does_not_allow_is_dead_lettered_not_crashed(
    resources, updated_deps, where
):
    queue = resources.queues["task-updated"]
    body = _with_numbers(bridge_event("TaskUpdated"), where)

    response = updated.handle(sqs_batch(queue, body), None, updated_deps)

    assert response == {"batchItemFailures": []}
    [dead] = received(queue.dlq_url)
    assert "breaks the catalog schema" in dead["MessageAttributes"]["reason"]["StringValue"]


def test_a_rejection_is_one_warning_line_with_the_reason_and_no_stack_trace(resources, created_deps, logs):
    created.handle(sqs_batch(resources.queues["task-created"], "{not json"), None, created_deps)

    [line] = [line for line in logs() if line["level"] == "WARNING"]
    assert line["reason"] == "the body is not JSON"
    assert "exception" not in line


class BrokenNotifier(AssignmentNotifier):
    """SNS that fails for one recipient."""

    def __init__(self, inner: AssignmentNotifier, broken_for: str) -> None:
        self._inner, self._broken_for = inner, broken_for

    def notify(self, task: dict[str, Any]) -> None:
        if task.assignee == self._broken_for:
            raise ConnectionError("SNS is unreachable")
        self._inner.notify(task)


def test_an_exception_fails_only_its_record_and_the_others_are_processed(aws, resources, created_deps):
    deps = replace(created_deps, notifier=BrokenNotifier(created_deps.notifier, "carol"))
    failing = with_task(bridge_event("TaskCreated"), assignee="carol")
    batch = sqs_batch(resources.queues["task-created"], failing, bridge_event("TaskCreated"))

    response = created.handle(batch, None, deps)

    assert response == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    assert stats_item(aws, "alice")["created"] == 1


def test_a_failed_record_retried_later_is_counted_once(aws, resources, created_deps):
    event = with_task(bridge_event("TaskCreated"), assignee="carol")
    queue = resources.queues["task-created"]
    broken = replace(created_deps, notifier=BrokenNotifier(created_deps.notifier, "carol"))
    created.handle(sqs_batch(queue, event), None, broken)

    created.handle(sqs_batch(queue, event), None, created_deps)

    assert stats_item(aws, "alice")["created"] == 1


def test_the_lambda_entry_point_processes_a_batch_with_its_real_dependencies(aws, resources, monkeypatch):
    monkeypatch.setenv("NOTIFICATIONS_TOPIC_ARN", resources.topic_arn)
    created.default_dependencies.cache_clear()
    batch = sqs_batch(resources.queues["task-created"], bridge_event("TaskCreated"))
    try:
        response = created.lambda_handler(batch, context("task-created"))
    finally:
        created.default_dependencies.cache_clear()  # its clients belong to this test's moto

    assert response == {"batchItemFailures": []}
    assert stats_item(aws, "alice")["created"] == 1


# --- task-updated -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["tasks.service", "billing.service"])
def test_the_audit_trail_names_who_published_each_change(resources, updated_deps, activity, source):
    """Other systems may publish changes (docs/design.md §4): their entries are theirs, never passed off
    as ours."""
    event = bridge_event("TaskUpdated")
    event["source"] = source

    updated.handle(sqs_batch(resources.queues["task-updated"], event), None, updated_deps)

    [entry] = activity.history(event["detail"]["task"]["id"], limit=10).items
    assert entry.source == source


def test_update_event_appends_who_changed_what_with_before_and_after(resources, updated_deps, activity):
    event = bridge_event("TaskUpdated")

    updated.handle(sqs_batch(resources.queues["task-updated"], event), None, updated_deps)

    [entry] = activity.history(event["detail"]["task"]["id"], limit=10).items
    assert (entry.type, entry.actor, entry.occurred_at) == (
        "updated",
        "alice",
        event["detail"]["metadata"]["occurredAt"],
    )
    assert [change.to_dict() for change in entry.changes] == [
        {"field": "title", "previous": "Prepare the quarterly report", "current": "Prepare the Q4 report"},
        {"field": "status", "previous": "pending", "current": "in_progress"},
    ]


def test_update_event_delivered_twice_is_recorded_once(resources, updated_deps, activity):
    event = bridge_event("TaskUpdated")
    queue = resources.queues["task-updated"]

    updated.handle(sqs_batch(queue, event), None, updated_deps)
    updated.handle(sqs_batch(queue, event), None, updated_deps)

    assert len(activity.history(event["detail"]["task"]["id"], limit=10).items) == 1


def dismissing_update() -> dict[str, Any]:
    """A title change that dismissed the task's approval: two audit entries, the change and the dismissal."""
    approval = {"status": "approved", "decidedBy": "carol", "decidedAt": "2026-11-21T09:00:00Z"}
    event = bridge_event(
        "TaskUpdated",
        changes=["title"],
        previous={"title": "Prepare the quarterly report", "approval": approval},
        approvalDismissed={"fields": ["title"]},
    )
    return with_task(event, approval={"status": "awaiting", "requestedAt": "2026-11-22T10:00:00Z"})


def test_an_update_that_dismissed_an_approval_records_both_entries_once(resources, updated_deps, activity):
    event = dismissing_update()
    queue = resources.queues["task-updated"]

    updated.handle(sqs_batch(queue, event), None, updated_deps)
    updated.handle(sqs_batch(queue, event), None, updated_deps)

    entries = activity.history(event["detail"]["task"]["id"], limit=10).items
    assert [entry.type for entry in entries] == ["approvalDismissed", "updated"]


def test_a_delivery_that_stopped_after_the_dismissal_entry_is_completed_by_the_next_one(
    resources, updated_deps, activity
):
    # Given a first delivery that wrote the dismissal entry and died before the change's own entry
    event = dismissing_update()
    task_event = parse_event(json.dumps(event), "TaskUpdated")
    activity.record_once(
        task_event.event_id, "task-updated", history=(HistoryEntry.approval_dismissed(task_event),)
    )

    # When SQS delivers the event again
    updated.handle(sqs_batch(resources.queues["task-updated"], event), None, updated_deps)

    # Then the trail holds each entry once
    entries = activity.history(event["detail"]["task"]["id"], limit=10).items
    assert [entry.type for entry in entries] == ["approvalDismissed", "updated"]


def test_reassignment_notifies_the_new_assignee(resources, updated_deps, inbox):
    event = with_task(
        bridge_event("TaskUpdated", changes=["assignee"], previous={"assignee": "bob"}), assignee="dave"
    )

    updated.handle(sqs_batch(resources.queues["task-updated"], event), None, updated_deps)

    [notification] = notifications(inbox)
    assert json.loads(notification["Message"])["assignee"] == "dave"


def test_update_that_leaves_the_assignee_alone_notifies_nobody(resources, updated_deps, inbox):
    updated.handle(
        sqs_batch(resources.queues["task-updated"], bridge_event("TaskUpdated")), None, updated_deps
    )

    assert notifications(inbox) == []


def test_unassigning_a_task_notifies_nobody(resources, updated_deps, inbox):
    event = bridge_event("TaskUpdated", changes=["assignee"], previous={"assignee": "bob"})
    del event["detail"]["task"]["assignee"]

    updated.handle(sqs_batch(resources.queues["task-updated"], event), None, updated_deps)

    assert notifications(inbox) == []


# --- task-completed ---------------------------------------------------------------------------------


@pytest.fixture
def completed_task(tasks):
    """A task created and completed through the real service and repository."""
    service = TaskService(tasks, PageTokens(b"a-test-secret-of-enough-length"), RecordingApprovals())
    alice = Caller("alice", correlation_id="req-1")
    task = service.create(alice, {"title": "Ship it", "assignee": "bob", "priority": "low"})
    return service.update(alice, task.id, {"status": "completed"})


def completion_event(task) -> dict[str, Any]:
    return bridge_event("TaskCompleted", task=task.to_dict())


def epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp())


def test_completion_archives_a_snapshot_of_the_task_with_the_event_metadata(
    resources, completed_deps, completed_task
):
    event = completion_event(completed_task)

    completed.handle(sqs_batch(resources.queues["task-completed"], event), None, completed_deps)

    key = f"tasks/alice/{completed_task.id}.json"
    snapshot = json.loads(boto3.client("s3").get_object(Bucket=resources.bucket, Key=key)["Body"].read())
    assert snapshot == {"task": completed_task.to_dict(), "metadata": event["detail"]["metadata"]}


def test_an_archive_key_stays_under_its_owners_prefix_whatever_the_ids_hold(resources, completed_deps):
    """Ids come from events (other publishers too): path-like ids are encoded, not followed."""
    event = bridge_event("TaskCompleted")
    event["detail"]["task"] |= {"ownerId": "bob/../alice", "id": "../../reports/q4"}

    completed.handle(sqs_batch(resources.queues["task-completed"], event), None, completed_deps)

    listing = boto3.client("s3").list_objects_v2(Bucket=resources.bucket)
    assert [item["Key"] for item in listing["Contents"]] == [
        "tasks/bob%2F..%2Falice/..%2F..%2Freports%2Fq4.json"
    ]


def test_completion_sets_the_retention_ttl_without_a_new_version_so_the_etag_stays_valid(
    resources, completed_deps, completed_task, tasks
):
    completed.handle(
        sqs_batch(resources.queues["task-completed"], completion_event(completed_task)), None, completed_deps
    )

    stored = tasks.get(completed_task.id)
    assert stored.expires_at == epoch(completed_task.completed_at) + completed_deps.retention_days * 86400
    assert (stored.version, stored.updated_at) == (completed_task.version, completed_task.updated_at)


def test_completion_gives_every_listing_view_of_the_task_the_same_ttl(
    aws, resources, completed_deps, completed_task, tasks, indexer
):
    completed.handle(
        sqs_batch(resources.queues["task-completed"], completion_event(completed_task)), None, completed_deps
    )
    indexer.catch_up()

    expires_at = tasks.get(completed_task.id).expires_at
    views = aws.scan(TableName=os.environ["VIEWS_TABLE"])["Items"]  # a test may scan; the API never does
    assert {int(view["expiresAt"]["N"]) for view in views} == {expires_at}
    assert len(views) == 3  # owner, assignee and admins


def test_completion_counts_the_task_and_its_cycle_time(aws, resources, completed_deps, completed_task):
    completed.handle(
        sqs_batch(resources.queues["task-completed"], completion_event(completed_task)), None, completed_deps
    )

    counters = stats_item(aws, "alice")
    cycle = epoch(completed_task.completed_at) - epoch(completed_task.created_at)
    assert counters["completed"] == 1
    assert abs(float(counters["cycleTimeSecondsTotal"]) - cycle) < 1


def test_completion_delivered_twice_counts_once_and_sets_the_ttl_once(
    aws, resources, completed_deps, completed_task, tasks
):
    event = completion_event(completed_task)
    queue = resources.queues["task-completed"]

    completed.handle(sqs_batch(queue, event), None, completed_deps)
    completed.handle(sqs_batch(queue, event), None, completed_deps)

    assert stats_item(aws, "alice")["completed"] == 1
    assert tasks.get(completed_task.id).expires_at is not None


def test_completion_from_another_publisher_of_a_task_we_do_not_hold_is_still_counted(
    aws, resources, completed_deps
):
    event = bridge_event("TaskCompleted")

    response = completed.handle(sqs_batch(resources.queues["task-completed"], event), None, completed_deps)

    assert response == {"batchItemFailures": []}
    assert stats_item(aws, "alice")["completed"] == 1


def test_completion_before_creation_is_dead_lettered(resources, completed_deps):
    event = with_task(bridge_event("TaskCompleted"), completedAt="2020-01-01T00:00:00Z")
    queue = resources.queues["task-completed"]

    response = completed.handle(sqs_batch(queue, event), None, completed_deps)

    assert response == {"batchItemFailures": []}
    [dead] = received(queue.dlq_url)
    assert dead["MessageAttributes"]["reason"]["StringValue"] == "completedAt precedes createdAt"


def test_an_api_write_racing_the_retention_write_loses_neither(
    aws, resources, completed_deps, completed_task
):
    """Each writer changes only its own attributes: an edit landing between the consumer's read and its
    write neither fails the retention write nor is overwritten by it."""

    class RacingRepository(DynamoDBTaskRepository):
        def set_expiry(self, task, expires_at) -> bool:
            racing = Caller("alice", correlation_id="req-race")
            TaskService(self, PageTokens(b"a-test-secret-of-enough-length"), RecordingApprovals()).update(
                racing, task.id, {"title": "renamed meanwhile"}
            )
            return super().set_expiry(task, expires_at)

    racing = RacingRepository(aws, os.environ["TASKS_TABLE"])
    batch = sqs_batch(resources.queues["task-completed"], completion_event(completed_task))

    response = completed.handle(batch, None, replace(completed_deps, tasks=racing))

    stored = racing.get(completed_task.id)
    assert response == {"batchItemFailures": []}
    assert (stored.title, stored.version) == ("renamed meanwhile", completed_task.version + 1)
    assert stored.expires_at is not None
