"""A task event as a consumer receives it: checked against the catalog once, then typed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tasks_shared import catalog
from tasks_shared.domain.model import Task


class RejectedEvent(Exception):
    """An event that no retry can make acceptable: it goes straight to the DLQ with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TaskEvent:
    """A validated EventBridge event: its detail satisfies the catalog schema of its detail-type."""

    detail_type: str
    source: str  # who published it: `tasks.service`, or another system on the bus
    metadata: dict[str, Any]
    task: Task
    changes: tuple[str, ...] = ()  # TaskUpdated: the public fields that changed
    previous: dict[str, Any] = field(default_factory=dict)  # TaskUpdated: their values before
    approval_dismissed: tuple[str, ...] = ()  # TaskUpdated: the approved work's fields that dismissed it

    @property
    def event_id(self) -> str:
        return self.metadata["eventId"]

    @property
    def actor(self) -> str | None:
        return self.metadata.get("actor")


def parse_event(body: str, accepts: str) -> TaskEvent:
    """The event in an SQS body, or RejectedEvent saying why it is not one this consumer accepts."""
    try:
        event = json.loads(body, parse_float=Decimal)  # DynamoDB takes Decimal, never float
    except ValueError as exc:
        raise RejectedEvent("the body is not JSON") from exc
    if not isinstance(event, dict) or "detail" not in event:
        raise RejectedEvent("the body is not an EventBridge event (no detail)")
    detail_type = event.get("detail-type")
    if detail_type != accepts:
        raise RejectedEvent(f"detail-type {detail_type!r} is not {accepts}")
    detail = event["detail"]
    problems = catalog.problems(detail_type, detail)
    if problems:
        raise RejectedEvent("the detail breaks the catalog schema: " + "; ".join(problems))
    return TaskEvent(
        detail_type=detail_type,
        source=str(event.get("source", "")),
        metadata=detail["metadata"],
        task=Task.from_dict(detail["task"]),
        changes=tuple(detail.get("changes", ())),
        previous=detail.get("previous", {}),
        approval_dismissed=tuple(detail.get("approvalDismissed", {}).get("fields", ())),
    )
