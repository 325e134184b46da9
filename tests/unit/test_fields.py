"""The stored form of a task is written down, and pinned here: renaming a public (API, event) name
must not change what is on disk, or every writer's conditions on it."""

from dataclasses import replace

from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.domain.approval import Approval, ApprovalStatus
from tasks_shared.domain.fields import FIELDS, PUBLIC, Writer
from tasks_shared.domain.model import Caller, Task

STORED = {
    "id": "task-1",
    "title": "Write the unit tests",
    "description": "all of them",
    "priority": "high",
    "status": "cancelled",
    "assignee": "bob",
    "dueDate": "2024-06-01",
    "tags": ["tests", "unit"],
    "ownerId": "alice",
    "approval": {
        "status": "rejected",
        "requestedAt": "2024-05-01T09:00:00.000000Z",
        "decidedBy": "carol",
        "decidedAt": "2024-05-02T09:00:00.000000Z",
        "comment": "not now",
    },
    "createdAt": "2024-05-01T09:00:00.000000Z",
    "updatedAt": "2024-05-02T09:00:00.000000Z",
    "version": 3,
    "updatedBy": "carol",
    "correlationId": "req-1",
    "expiresAt": 1717000000,
}


def _task() -> Task:
    task = Task.new(
        "task-1",
        "alice",
        {
            "title": "Write the unit tests",
            "description": "all of them",
            "priority": "high",
            "assignee": "bob",
            "dueDate": "2024-06-01",
            "tags": ["tests", "unit"],
        },
        "2024-05-01T09:00:00.000000Z",
    )
    decided = Approval(
        ApprovalStatus.REJECTED,
        decided_by="carol",
        decided_at="2024-05-02T09:00:00.000000Z",
        comment="not now",
        requested_at="2024-05-01T09:00:00.000000Z",
    )
    return replace(
        task.stamped(Caller("carol", correlation_id="req-1")),
        status="cancelled",
        approval=decided,
        updated_at="2024-05-02T09:00:00.000000Z",
        version=3,
        expires_at=1717000000,
    )


def test_a_task_is_stored_in_exactly_this_form():
    assert task_record(task_from_record(STORED)) == STORED


def test_a_stored_task_reads_back_as_the_same_task():
    assert task_from_record(task_record(_task())) == task_from_record(STORED)


def test_internal_fields_are_stored_but_never_public():
    internal = {field.stored for field in FIELDS if field.public is None}

    assert internal == {"updatedBy", "correlationId", "expiresAt"}
    assert not internal & set(task_from_record(STORED).to_dict())


def test_every_public_field_has_one_public_name():
    names = [field.public for field in PUBLIC]

    assert len(names) == len(set(names))


def test_the_retention_write_owns_only_the_expiry():
    assert [field.stored for field in FIELDS if field.owner is Writer.RETENTION] == ["expiresAt"]
