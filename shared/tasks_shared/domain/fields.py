"""The task's fields, written once: each one's name in the model, in the API and events, on the stored
item, and which writer of the tasks table owns it (docs/design.md §2).

The API and the events carry the same public form; the stored item is encoded from this table, never
from the public form, so renaming a public name leaves the item (and every writer's conditions on it)
as it is. tests/unit/test_fields.py pins the stored format.
"""

from dataclasses import dataclass
from enum import StrEnum


class Writer(StrEnum):
    """Who may write an attribute of the tasks table."""

    API = "api"  # the tasks API (and `make seed`, through it)
    RETENTION = "retention"  # task-completed's retention write
    WORKFLOW = "workflow"  # the approval workflow's direct DynamoDB integrations


@dataclass(frozen=True)
class TaskField:
    name: str  # the Task attribute
    public: str | None  # in API responses and event details; None: internal, never shown
    stored: str  # the attribute on the stored item
    owner: Writer
    required: bool = False  # a task (public or stored) without it is not a task
    # Part of the work an approver approves: changing it on an open task dismisses the approval
    # (docs/approval-workflow.md, "An approval holds only for what was approved").
    approved: bool = False


FIELDS: tuple[TaskField, ...] = (
    TaskField("id", "id", "id", Writer.API, required=True),
    TaskField("title", "title", "title", Writer.API, required=True, approved=True),
    TaskField("description", "description", "description", Writer.API, approved=True),
    TaskField("priority", "priority", "priority", Writer.API, required=True),
    TaskField("status", "status", "status", Writer.API, required=True),
    TaskField("assignee", "assignee", "assignee", Writer.API, approved=True),
    TaskField("due_date", "dueDate", "dueDate", Writer.API),
    TaskField("tags", "tags", "tags", Writer.API),
    TaskField("owner_id", "ownerId", "ownerId", Writer.API, required=True),
    TaskField("approval", "approval", "approval", Writer.API, required=True),
    TaskField("created_at", "createdAt", "createdAt", Writer.API, required=True),
    TaskField("updated_at", "updatedAt", "updatedAt", Writer.API, required=True),
    TaskField("completed_at", "completedAt", "completedAt", Writer.API),
    TaskField("version", "version", "version", Writer.API, required=True),
    TaskField("updated_by", None, "updatedBy", Writer.API),
    TaskField("correlation_id", None, "correlationId", Writer.API),
    TaskField("expires_at", None, "expiresAt", Writer.RETENTION),
)
PUBLIC = tuple(field for field in FIELDS if field.public)
REQUIRED = frozenset(field.name for field in FIELDS if field.required)
APPROVED_WORK = tuple(field for field in FIELDS if field.approved)
# Fields a client may set; everything else on a task is owned by the server.
MUTABLE_FIELDS = ("title", "description", "priority", "status", "assignee", "dueDate", "tags")
