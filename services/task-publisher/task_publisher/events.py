"""A tasks-table stream record -> the domain events of the catalog (docs/design.md §4). Pure: no I/O.

Only `Task.to_dict()` (the public task) goes into a detail. Everything else on the item, the
internal attributes (updatedBy, correlationId, expiresAt, a workflow's approvalToken...), stays out:
at most updatedBy and correlationId feed the metadata's actor and correlationId.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from tasks_shared import catalog
from tasks_shared.adapters.dynamodb.items import task_from_item
from tasks_shared.domain.approval import TIME_FORMAT
from tasks_shared.domain.model import Status, Task, dismissing_changes

# The public fields whose change makes a TaskUpdated: the `changes` enum of TaskUpdated.json (a unit
# test pins the two together). updatedAt and version move with every write, so they are not changes.
TRACKED_FIELDS = (
    "title",
    "description",
    "priority",
    "status",
    "assignee",
    "dueDate",
    "tags",
    "approval",
    "completedAt",
)
# uuid5 namespace of our eventIds: the same stream record and detail-type always give the same id.
EVENT_ID_NAMESPACE = uuid.UUID("5b0f6f3e-8a41-4c1e-9d2a-7c3e1f0a9b64")
# Who deletes an expired item: DynamoDB's TTL process.
_TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


class UnpublishableRecord(ValueError):
    """A stream record that cannot become an event (not a task, or an image is missing)."""


@dataclass(frozen=True)
class DomainEvent:
    detail_type: str
    detail: dict[str, Any]

    @property
    def event_id(self) -> str:
        return self.detail["metadata"]["eventId"]

    @property
    def task_id(self) -> str:
        return self.detail["task"]["id"]

    def entry(self, bus_name: str) -> dict[str, Any]:
        """The PutEvents entry. No Resources: a task is not an AWS resource with an ARN, and a
        made-up one would invite rules to match on something that is not one."""
        entry: dict[str, Any] = {
            "Source": catalog.SOURCE,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail, separators=(",", ":"), ensure_ascii=False),
            "EventBusName": bus_name,
        }
        occurred_at = _parse_time(self.detail["metadata"]["occurredAt"])
        if occurred_at:
            # The event's `time` is when the change happened, not when it was published (replays).
            entry["Time"] = occurred_at
        return entry


def events_for(record: DynamoDBRecord) -> list[DomainEvent]:
    """The events one committed change publishes, in order; empty when no public field changed.

    Each is checked against its catalog schema: an item the table holds but no consumer could accept
    (written by hand, or by a buggy migration) is reported, never published, and never crashes the batch.
    """
    events = _events_of(record)
    for event in events:
        problems = catalog.problems(event.detail_type, event.detail)
        if problems:
            raise UnpublishableRecord(f"its {event.detail_type} breaks the catalog: {'; '.join(problems)}")
    return events


def _events_of(record: DynamoDBRecord) -> list[DomainEvent]:
    try:
        kind = record.event_name
    except KeyError as exc:
        raise UnpublishableRecord(f"unknown eventName {record.get('eventName')!r}") from exc
    if kind is DynamoDBRecordEventName.INSERT:
        return [_created(record)]
    if kind is DynamoDBRecordEventName.MODIFY:
        return _updated(record)
    if kind is DynamoDBRecordEventName.REMOVE:
        return [_deleted(record)]
    raise UnpublishableRecord(f"unknown eventName {record.get('eventName')!r}")


def event_id(record: DynamoDBRecord, detail_type: str) -> str:
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{record.event_id}/{detail_type}"))


def _created(record: DynamoDBRecord) -> DomainEvent:
    task = _task(record, "NewImage")
    return _event(record, "TaskCreated", task, occurred_at=task.updated_at, attributed=True)


def _updated(record: DynamoDBRecord) -> list[DomainEvent]:
    old, after = _task(record, "OldImage"), _task(record, "NewImage")
    before, public = old.to_dict(), after.to_dict()
    changes = [name for name in TRACKED_FIELDS if before.get(name) != public.get(name)]
    if not changes:
        # e.g. the retention TTL (expiresAt) being set: nothing a subscriber can see changed.
        return []
    body: dict[str, Any] = {"changes": changes, "previous": {name: before.get(name) for name in changes}}
    dismissed = dismissing_changes(old, after) if old.approval != after.approval else ()
    if dismissed:
        body["approvalDismissed"] = {"fields": list(dismissed)}
    updated = _event(record, "TaskUpdated", after, occurred_at=after.updated_at, attributed=True, **body)
    if after.status is Status.COMPLETED and before["status"] != Status.COMPLETED:
        completed = _event(record, "TaskCompleted", after, occurred_at=after.updated_at, attributed=True)
        return [updated, completed]
    return [updated]


def _deleted(record: DynamoDBRecord) -> DomainEvent:
    task = _task(record, "OldImage")
    expired = _is_subset(_TTL_IDENTITY, record.user_identity)
    # The old image carries the attribution of the write *before* the deletion: using it would name
    # the last editor as the deleter. A DeleteItem writes nothing, so who deleted is not known here.
    return _event(
        record,
        "TaskDeleted",
        task,
        occurred_at=_stream_time(record) or task.updated_at,
        attributed=False,
        reason="expired" if expired else "deleted",
    )


def _event(
    record: DynamoDBRecord,
    detail_type: str,
    task: Task,
    *,
    occurred_at: str,
    attributed: bool,
    **body: Any,
) -> DomainEvent:
    identifier = event_id(record, detail_type)
    metadata: dict[str, Any] = {
        "eventId": identifier,
        "correlationId": (attributed and task.correlation_id) or identifier,
        "occurredAt": occurred_at,
        "schemaVersion": catalog.SCHEMA_VERSION,
    }
    if attributed and task.updated_by:
        metadata["actor"] = task.updated_by
    return DomainEvent(detail_type, {"metadata": metadata, "task": task.to_dict(), **body})


def _task(record: DynamoDBRecord, image: str) -> Task:
    stream = record.dynamodb
    raw = stream.get(image) if stream else None
    if not raw:
        raise UnpublishableRecord(f"{record.get('eventName')} record without {image}")
    try:
        return task_from_item(raw)
    except (KeyError, ValueError, TypeError) as exc:
        raise UnpublishableRecord(f"{image} is not a task ({type(exc).__name__}: {exc})") from exc


def _stream_time(record: DynamoDBRecord) -> str | None:
    """ApproximateCreationDateTime (epoch seconds, as Lambda delivers it) in our ISO 8601 UTC form."""
    stream = record.dynamodb
    seconds = stream.get("ApproximateCreationDateTime") if stream else None
    if seconds is None:
        return None
    return datetime.fromtimestamp(float(seconds), UTC).strftime(TIME_FORMAT)


def _is_subset(expected: dict[str, str], actual: dict[str, Any]) -> bool:
    return all(actual.get(key) == value for key, value in expected.items())


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
