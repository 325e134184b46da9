"""A high-priority task's approval: its public record, the decision an approver claims, and the
workflow's task token (docs/approval-workflow.md). No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

# Who the approval workflow's own writes name (its expiry, its release on failure): the ASL writes it too.
WORKFLOW_ACTOR = "approval-workflow"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # every timestamp of the model (ISO 8601 UTC, microseconds)


class ApprovalStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    AWAITING = "awaiting"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class Approval:
    status: ApprovalStatus = ApprovalStatus.NOT_REQUIRED
    decided_by: str | None = None
    decided_at: str | None = None
    comment: str | None = None
    # When approval was requested: the approvers' queue is served oldest request first.
    requested_at: str | None = None

    @classmethod
    def requested(cls, now: str) -> Approval:
        return cls(ApprovalStatus.AWAITING, requested_at=now)

    def asked_again(self, now: str) -> Approval:
        """A new request replacing this one. Its `requestedAt` is what tells the workflow's executions
        apart, so it is always later than this request's, even from a clock that has not moved past
        it (another container's, or a test's): then one microsecond later."""
        if self.requested_at is None or now > self.requested_at:
            return Approval.requested(now)
        after = datetime.strptime(self.requested_at, TIME_FORMAT) + timedelta(microseconds=1)
        return Approval.requested(after.strftime(TIME_FORMAT))

    def withdrawn(self, by: str, now: str) -> Approval:
        """This request, ended before a decision: who ended it and when show in the task's history."""
        return replace(self, status=ApprovalStatus.WITHDRAWN, decided_by=by, decided_at=now)

    def to_dict(self) -> dict[str, Any]:
        body = {
            "status": self.status.value,
            "requestedAt": self.requested_at,
            "decidedBy": self.decided_by,
            "decidedAt": self.decided_at,
            "comment": self.comment,
        }
        return {key: value for key, value in body.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Approval:
        return cls(
            status=ApprovalStatus(data["status"]),
            requested_at=data.get("requestedAt"),
            decided_by=data.get("decidedBy"),
            decided_at=data.get("decidedAt"),
            # The workflow copies a claimed decision's comment as is, "" when the approver gave none.
            comment=data.get("comment") or None,
        )


@dataclass(frozen=True)
class ClaimedDecision:
    """An approver's decision, claimed on the task item before the workflow records it into `approval`."""

    decision: Decision
    decided_by: str
    decided_at: str
    comment: str = ""  # "" when none: the workflow copies it into the approval as it is


@dataclass(frozen=True)
class TaskToken:
    """The workflow's task token: a credential that answers its approval request. Never part of a Task,
    and out of every repr, so no f-string, log line or assertion message can show it; `secret` is read
    only where the token is written or sent."""

    secret: str = field(repr=False)
