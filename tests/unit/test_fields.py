"""The stored form of a task is written down, and pinned here: renaming a public (API, event) name
must not change what is on disk, or every writer's conditions on it."""

from dataclasses import astuple, replace

import pytest

from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.domain.approval import Approval, ApprovalStatus
from tasks_shared.domain.fields import APPROVED_WORK, FIELDS, MUTABLE_FIELDS, PUBLIC, Writer
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


# The field table, entry by entry: FIELDS is module-level, so mutation testing cannot change it; this is
# what fails if one of its entries changes. (name, public, stored, owner, required, approved work)
API, RETENTION = Writer.API, Writer.RETENTION
FIELD_TABLE = [
    ("id", "id", "id", API, True, False),
    ("title", "title", "title", API, True, True),
    ("description", "description", "description", API, False, True),
    ("priority", "priority", "priority", API, True, False),
    ("status", "status", "status", API, True, False),
    ("assignee", "assignee", "assignee", API, False, True),
    ("due_date", "dueDate", "dueDate", API, False, False),
    ("tags", "tags", "tags", API, False, False),
    ("owner_id", "ownerId", "ownerId", API, True, False),
    ("approval", "approval", "approval", API, True, False),
    ("created_at", "createdAt", "createdAt", API, True, False),
    ("updated_at", "updatedAt", "updatedAt", API, True, False),
    ("completed_at", "completedAt", "completedAt", API, False, False),
    ("version", "version", "version", API, True, False),
    ("updated_by", None, "updatedBy", API, False, False),
    ("correlation_id", None, "correlationId", API, False, False),
    ("expires_at", None, "expiresAt", RETENTION, False, False),
]


def test_each_field_keeps_its_names_its_writer_and_whether_a_task_needs_it():
    assert [astuple(field) for field in FIELDS] == FIELD_TABLE


def test_the_approved_work_is_the_title_the_description_and_the_assignee():
    assert [field.public for field in APPROVED_WORK] == ["title", "description", "assignee"]


def test_a_client_sets_only_the_fields_of_the_contract():
    assert MUTABLE_FIELDS == ("title", "description", "priority", "status", "assignee", "dueDate", "tags")


@pytest.mark.parametrize("stored", [row[2] for row in FIELD_TABLE if row[4]])
def test_a_stored_image_without_a_required_attribute_is_not_a_task(stored):
    """A stored image without `version` (issue 21) no longer silently becomes version 1: an item without
    any attribute a task needs is not read as a task at all."""
    image = dict(STORED)
    del image[stored]
    with pytest.raises(KeyError, match="not a task"):
        task_from_record(image)
