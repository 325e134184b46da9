"""The task: its fields, defaults and the status and approval rules of docs/design.md §3. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tasks_shared.domain.approval import TIME_FORMAT, Approval, ApprovalStatus
from tasks_shared.domain.errors import InvalidTransition, NotAllowed, NotAwaitingApproval
from tasks_shared.domain.fields import APPROVED_WORK, PUBLIC, REQUIRED


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Terminal states stay terminal: a completed task's cycle time and archive must not change under it.
_NEXT_STATUS = {
    Status.PENDING: {Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.PENDING, Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}
_OPEN = frozenset({Status.PENDING, Status.IN_PROGRESS})
# What a task cannot become while its high priority lacks an approval.
_BLOCKED_WITHOUT_APPROVAL = {Status.IN_PROGRESS, Status.COMPLETED}
# A new request is opened for any approval but these; a change to the approved work dismisses them.
_HELD = frozenset({ApprovalStatus.APPROVED, ApprovalStatus.AWAITING})


def utcnow() -> str:
    """ISO 8601 UTC with microseconds: sorts lexicographically in DynamoDB keys."""
    return datetime.now(UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the JWT claims the authorizer verified."""

    user_id: str
    groups: frozenset[str] = frozenset()
    correlation_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admins" in self.groups

    @property
    def is_approver(self) -> bool:
        return "approvers" in self.groups


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    owner_id: str
    created_at: str
    updated_at: str
    description: str = ""
    priority: Priority = Priority.MEDIUM
    status: Status = Status.PENDING
    assignee: str | None = None
    due_date: str | None = None
    tags: tuple[str, ...] = ()
    approval: Approval = field(default_factory=Approval)
    completed_at: str | None = None
    version: int = 1
    # Internal: who made the last change, and the request that made it. Stored on the item for the
    # change stream (audit trail, correlation); never part of the public representation.
    updated_by: str | None = None
    correlation_id: str | None = None
    # Internal: when DynamoDB's TTL may remove a completed task (epoch seconds), per the retention setting.
    expires_at: int | None = None

    @classmethod
    def new(cls, task_id: str, owner_id: str, fields: dict[str, Any], now: str) -> Task:
        """A new task from validated client fields; high priority starts awaiting approval."""
        priority = Priority(fields.get("priority", Priority.MEDIUM))
        approval = Approval.requested(now) if priority is Priority.HIGH else Approval()
        return cls(
            id=task_id,
            title=fields["title"],
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
            description=fields.get("description", ""),
            priority=priority,
            assignee=fields.get("assignee"),
            due_date=fields.get("dueDate"),
            tags=tuple(fields.get("tags", ())),
            approval=approval,
        )

    def is_visible_to(self, caller: Caller) -> bool:
        """Owner, assignee and admins; approvers too once the task has an approval record, so what an
        approver may read and what the decision route tells them agree (no 404/409 oracle)."""
        return (
            caller.is_admin
            or caller.user_id in (self.owner_id, self.assignee)
            or (caller.is_approver and self.approval.status is not ApprovalStatus.NOT_REQUIRED)
        )

    def may_edit(self, caller: Caller, fields: set[str]) -> bool:
        """Owner and admins change anything; the assignee changes the status only."""
        if caller.is_admin or caller.user_id == self.owner_id:
            return True
        return caller.user_id == self.assignee and fields <= {"status"}

    def may_delete(self, caller: Caller) -> bool:
        return caller.is_admin or caller.user_id == self.owner_id

    def with_changes(self, changes: dict[str, Any], now: str, by: str) -> Task:
        """This task with validated client changes by user `by` applied, enforcing the status and
        approval rules."""
        fields = {
            "title": changes.get("title", self.title),
            "description": changes.get("description", self.description),
            "priority": Priority(changes.get("priority", self.priority)),
            "status": Status(changes.get("status", self.status)),
            "assignee": changes.get("assignee", self.assignee),
            "due_date": changes.get("dueDate", self.due_date),
            "tags": tuple(changes.get("tags", self.tags)),
        }
        candidate = replace(self, **fields)
        if candidate == self:
            return self
        approval = self._approval_after(candidate, now, by)
        self._check_transition(candidate, approval)
        status = candidate.status
        return replace(
            candidate,
            approval=approval,
            completed_at=now
            if status is Status.COMPLETED and self.status is not status
            else self.completed_at,
            updated_at=now,
            version=self.version + 1,
        )

    def _approval_after(self, candidate: Task, now: str, by: str) -> Approval:
        """Raising an open task to high asks for approval, unless it is approved or asked already (so
        raising and starting it in one request is blocked like doing it in two). Lowering it below high,
        or cancelling it, while awaiting withdraws the request in `by`'s name. A change to the approved
        work dismisses the approval: a high task asks again, any other needs none any more."""
        raised = candidate.priority is Priority.HIGH and self.priority is not Priority.HIGH
        if (
            raised
            and self.status in _OPEN
            and candidate.status is not Status.CANCELLED
            and self.approval.status not in _HELD
        ):
            return Approval.requested(now)
        ends_request = candidate.priority is not Priority.HIGH or candidate.status is Status.CANCELLED
        if self.approval.status is ApprovalStatus.AWAITING and ends_request:
            return self.approval.withdrawn(by, now)
        if dismissing_changes(self, candidate):
            return self.approval.asked_again(now) if candidate.priority is Priority.HIGH else Approval()
        return self.approval

    def _check_transition(self, candidate: Task, approval: Approval) -> None:
        status = candidate.status
        if status is self.status:
            return
        if status not in _NEXT_STATUS[self.status]:
            raise InvalidTransition(
                f"a {self.status.value} task cannot become {status.value}",
                [{"field": "status", "issue": f"not allowed from {self.status.value}"}],
            )
        if status not in _BLOCKED_WITHOUT_APPROVAL:
            return
        if approval.status is ApprovalStatus.AWAITING:
            raise InvalidTransition(
                f"the task is awaiting approval and cannot become {status.value}",
                [{"field": "status", "issue": "awaiting approval"}],
            )
        if approval.status is ApprovalStatus.WITHDRAWN and candidate.priority is Priority.HIGH:
            raise InvalidTransition(
                f"the approval request of this high-priority task was withdrawn, so it cannot become "
                f"{status.value}: lower its priority and raise it to high again to ask again",
                [{"field": "status", "issue": "approval withdrawn"}],
            )

    def check_decision_by(self, caller: Caller) -> None:
        """Only approvers decide, with four eyes: never the one who asks (the owner) nor the one who does
        the work (the assignee); and only while the task awaits a decision."""
        if not caller.is_approver:
            raise NotAllowed("only approvers may decide on an approval request")
        if caller.user_id == self.owner_id:
            raise NotAllowed("the owner of a task may not decide on its approval request")
        if caller.user_id == self.assignee:
            raise NotAllowed("the assignee of a task may not decide on its approval request")
        if self.approval.status is not ApprovalStatus.AWAITING:
            raise NotAwaitingApproval(
                f"task {self.id} is not awaiting approval (its approval is {self.approval.status.value})"
            )

    def to_dict(self) -> dict[str, Any]:
        """The public representation: what the API returns and events carry. Nothing internal."""
        values = ((field.public, plain(getattr(self, field.name))) for field in PUBLIC)
        return {name: value for name, value in values if value is not None}

    def stamped(self, caller: Caller) -> Task:
        """This version, attributed to the caller and its request."""
        return replace(self, updated_by=caller.user_id, correlation_id=caller.correlation_id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        """From the public representation (the API's, an event's)."""
        return cls.from_fields({field.name: data.get(field.public) for field in PUBLIC})

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Task:
        """From the value of each field by its model name (absent or None: the field's default)."""
        present = {name: value for name, value in values.items() if value is not None}
        missing = REQUIRED - present.keys()
        if missing:
            raise KeyError(f"not a task: no {', '.join(sorted(missing))}")
        return cls(**{name: _DECODE.get(name, _same)(value) for name, value in present.items()})

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def dismissing_changes(before: Task, after: Task) -> tuple[str, ...]:
    """The public names of the approved work's fields (`fields.APPROVED_WORK`) that differ between two
    versions of a task, when `before` is open with an approval awaiting or given and `after` is still
    open: what dismisses that approval. Empty when the approval holds (the publisher reads the same
    answer off the stream's images, so the event says why)."""
    if before.status not in _OPEN or after.status not in _OPEN or before.approval.status not in _HELD:
        return ()
    return tuple(
        field.public
        for field in APPROVED_WORK
        if field.public and getattr(before, field.name) != getattr(after, field.name)
    )


def plain(value: Any) -> Any:
    """A field's value as JSON and DynamoDB hold it: enums as their text, tuples as lists."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Approval):
        return value.to_dict()
    if isinstance(value, tuple):
        return list(value)
    return value


def _same(value: Any) -> Any:
    return value


_DECODE = {
    "priority": Priority,
    "status": Status,
    "tags": tuple,
    "approval": lambda value: value if isinstance(value, Approval) else Approval.from_dict(value),
    "version": int,
    "expires_at": int,  # DynamoDB numbers arrive as Decimal
}
