"""What the consumers derive from task events: audit-trail entries and per-owner counters, and the
receipt that proves a consumer applied an event. Records only: the activity table's adapter stores them,
the activity service reads them back for the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tasks_shared.domain.approval import ApprovalStatus
from tasks_shared.domain.events import TaskEvent
from tasks_shared.domain.fields import MUTABLE_FIELDS
from tasks_shared.domain.model import Priority

HISTORY_PREFIX = "HIST#"  # the audit trail's sort keys (the activity table's sk)
DISMISSED = "approvalDismissed"  # the entry of an approval dismissed by a change to the approved work
REOPENED = "approval request re-opened"  # the reason of an update that asked again for the same work


@dataclass(frozen=True)
class Change:
    field: str
    previous: Any
    current: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "previous": self.previous, "current": self.current}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a task's audit trail: who did what to it, and when."""

    task_id: str
    type: str  # "created" | "updated" | "approvalDismissed"
    actor: str | None
    source: str  # who published the event: `tasks.service`, or another system on the bus
    occurred_at: str
    event_id: str
    changes: tuple[Change, ...] = ()
    reason: str | None = None  # why, in words, where the changes alone do not say it

    @classmethod
    def created(cls, event: TaskEvent) -> HistoryEntry:
        """The creation, with every client field the task started with (empty ones left out)."""
        task = event.task.to_dict()
        changes = tuple(
            Change(name, None, task[name]) for name in MUTABLE_FIELDS if task.get(name) not in (None, "", [])
        )
        return cls._of(event, "created", changes)

    @classmethod
    def updated(cls, event: TaskEvent) -> HistoryEntry:
        """A change, with each changed field's value before (from `previous`) and after (from the task);
        an approval that awaited and awaits again, for no change of the work, was re-opened (the local
        stack does it after a restart: its waiting execution could not survive it)."""
        task = event.task.to_dict()
        changes = tuple(Change(name, event.previous.get(name), task.get(name)) for name in event.changes)
        before, after = (event.previous.get("approval") or {}), event.task.approval
        reopened = (
            "approval" in event.changes
            and not event.approval_dismissed
            and before.get("status") == after.status.value == ApprovalStatus.AWAITING.value
        )
        return cls._of(event, "updated", changes, REOPENED if reopened else None)

    @classmethod
    def approval_dismissed(cls, event: TaskEvent) -> HistoryEntry | None:
        """The approval a change dismissed, as an entry of its own saying which fields did it; None when
        the change dismissed none."""
        if not event.approval_dismissed:
            return None
        approval = Change("approval", event.previous.get("approval"), event.task.to_dict().get("approval"))
        reason = f"approval dismissed: {' and '.join(event.approval_dismissed)} changed"
        return cls._of(event, DISMISSED, (approval,), reason)

    @classmethod
    def _of(
        cls, event: TaskEvent, kind: str, changes: tuple[Change, ...], reason: str | None = None
    ) -> HistoryEntry:
        return cls(
            task_id=event.task.id,
            type=kind,
            actor=event.actor,
            source=event.source,
            occurred_at=event.metadata["occurredAt"],
            event_id=event.event_id,
            changes=changes,
            reason=reason,
        )

    @property
    def sort_key(self) -> str:
        """Its place in the trail: by time, then event; an event's second entry (a dismissal) after its
        first, so newest first reads the consequence before the change."""
        suffix = f"#{self.type}" if self.type == DISMISSED else ""
        return f"{HISTORY_PREFIX}{self.occurred_at}#{self.event_id}{suffix}"

    def to_dict(self) -> dict[str, Any]:
        """The API's representation (schemas/history.json)."""
        body = {
            "type": self.type,
            "actor": self.actor,
            "source": self.source,
            "occurredAt": self.occurred_at,
            "eventId": self.event_id,
            "changes": [change.to_dict() for change in self.changes],
        }
        return body | ({"reason": self.reason} if self.reason else {})


@dataclass(frozen=True)
class EventMarker:
    """The receipt of an event whose consumer records counters alone (no audit entry to carry it)."""

    event_id: str
    consumer: str


# What proves that a consumer applied an event: the item it wrote for it, whose key holds the event id.
Receipt = HistoryEntry | EventMarker


def receipt(event_id: str, consumer: str, history: Sequence[HistoryEntry]) -> Receipt:
    """The consumer's first audit entry of the event (its key is the event's own), else a marker: one
    item per (event, consumer), written only if absent, so an event is applied once whatever the
    number of deliveries."""
    return history[0] if history else EventMarker(event_id, consumer)


def plain_number(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; JSON wants int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain_number(item) for item in value]
    if isinstance(value, dict):
        return {key: plain_number(item) for key, item in value.items()}
    return value


def created_counts(priority: str) -> dict[str, int]:
    """Counter increments for one created task."""
    return {"created": 1, f"created{Priority(priority).value.capitalize()}": 1}


def completed_counts(cycle_time_seconds: float) -> dict[str, Any]:
    """Counter increments for one completed task (the cycle time kept to the millisecond)."""
    return {"completed": 1, "cycleTimeSecondsTotal": Decimal(str(round(cycle_time_seconds, 3)))}


@dataclass(frozen=True)
class OwnerStats:
    owner_id: str
    created: int = 0
    by_priority: dict[str, int] = field(default_factory=dict)
    completed: int = 0
    cycle_time_seconds_total: float = 0

    def to_dict(self) -> dict[str, Any]:
        """The API's representation (schemas/stats.json); zeros for an owner with no activity."""
        total = self.cycle_time_seconds_total
        average = round(total / self.completed, 3) if self.completed else None
        return {
            "ownerId": self.owner_id,
            "created": self.created,
            "byPriority": {p.value: self.by_priority.get(p.value, 0) for p in Priority},
            "completed": self.completed,
            "cycleTime": {"averageSeconds": average, "totalSeconds": total},
        }
