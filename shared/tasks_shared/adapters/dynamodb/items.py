"""Item encoding: DynamoDB JSON, and the stored form of a task written out from the field table.

The stored item is encoded here explicitly (STYLE 11), from `fields.FIELDS`' stored names, never from
the public JSON; tests/unit/test_fields.py pins it.
"""

from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tasks_shared.domain.approval import Approval, ApprovalStatus
from tasks_shared.domain.fields import FIELDS
from tasks_shared.domain.model import Task, plain

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
# The approval map on the item: its attribute names, written down like the task's.
_APPROVAL = {
    "status": "status",
    "requested_at": "requestedAt",
    "decided_by": "decidedBy",
    "decided_at": "decidedAt",
    "comment": "comment",
}


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def is_condition_failure(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def task_record(task: Task) -> dict[str, Any]:
    """The stored attributes of a task (plain values; unset ones left out)."""
    record = {field.stored: _stored(getattr(task, field.name)) for field in FIELDS}
    return {name: value for name, value in record.items() if value is not None}


def task_from_record(record: dict[str, Any]) -> Task:
    """A task from its stored attributes (plain values): an item read, or a stream image decoded."""
    values = {field.name: record.get(field.stored) for field in FIELDS}
    if isinstance(values["approval"], dict):
        values["approval"] = _approval(values["approval"])
    return Task.from_fields(values)


def task_from_item(item: dict[str, Any]) -> Task:
    """A task from its stored item (DynamoDB JSON), as GetItem and stream images carry it."""
    return task_from_record(from_item(item))


def _approval(stored: dict[str, Any]) -> Approval:
    """An empty text is no value: the workflow copies a claimed decision's comment, "" when none."""
    values = {name: stored[attribute] for name, attribute in _APPROVAL.items() if stored.get(attribute)}
    return Approval(**{**values, "status": ApprovalStatus(values["status"])})


def _stored(value: Any) -> Any:
    if isinstance(value, Approval):
        approval = {stored: plain(getattr(value, name)) for name, stored in _APPROVAL.items()}
        return {name: item for name, item in approval.items() if item is not None}
    return plain(value)
