"""The small interfaces the services need of storage and messaging; adapters implement them (DynamoDB,
SQS, SNS in tasks_shared.adapters; in-memory fakes in adapters.memory)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from tasks_shared.domain.activity import HistoryEntry, OwnerStats, Receipt
from tasks_shared.domain.approval import ClaimedDecision, TaskToken
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Task
from tasks_shared.domain.paging import Page

if TYPE_CHECKING:  # an annotation only: the API function never loads Powertools' SQS event classes
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class StoredTask:
    """A task as read, with the approval workflow's internal attributes of its item beside it: they are
    never part of a Task, so no representation, event or view of a task can carry them."""

    task: Task
    approval_token: TaskToken | None = None  # stored by the workflow while its request waits
    decision_claimed: bool = False  # an approver's decision is claimed, not recorded yet


class TaskRepository(Protocol):
    """Every write is conditional: `create` on absence, `replace`/`withdraw`/`delete` on the version read.

    A failed condition raises VersionConflict, so no concurrent change is silently overwritten. A write
    changes only the attributes its writer owns (docs/design.md §2). Lists may lag the writes a moment: they
    are derived from the table, whoever wrote it. The approval writes follow docs/approval-workflow.md.
    """

    def get(self, task_id: str) -> Task | None: ...

    def read(self, task_id: str) -> StoredTask | None:
        """The task and its workflow attributes, in one consistent read."""
        ...

    def create(self, task: Task) -> None: ...

    def replace(self, previous: Task, current: Task) -> None: ...

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        """`replace`, removing the workflow's token, only while the token is the one read (or there is
        still none) and no decision is claimed."""
        ...

    def delete(self, stored: StoredTask) -> None:
        """On the version read, and only while the token is the one read (or there is still none)."""
        ...

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        """Take the token for this decision, only while it is stored, the task awaits approval and is
        still at `version` (the one the approver decided on): one claim wins. A lost claim raises
        NotAwaitingApproval."""
        ...

    def expire_claimed(
        self, task_id: str, claim: ClaimedDecision, now: str, correlation_id: str | None
    ) -> None:
        """Close a request that had ended before the claimed decision reached it, as its timeout would
        have: approval expired, task cancelled. Nothing, if the workflow closed it meanwhile."""
        ...

    def set_expiry(self, task: Task, expires_at: int) -> bool: ...

    def list(self, query: ListQuery, cursor: dict | None) -> Page[Task]: ...


class ActivityStore(Protocol):
    """Counters and audit trail, each event applied at most once: what a consumer records for an event
    is guarded by its receipt (domain.activity.receipt), written only if absent."""

    def is_recorded(self, proof: Receipt) -> bool: ...

    def record_once(
        self,
        event_id: str,
        consumer: str,
        *,
        owner_id: str | None = None,
        counts: Mapping[str, Any] | None = None,
        history: Sequence[HistoryEntry] = (),
    ) -> bool: ...

    def stats(self, owner_id: str) -> OwnerStats: ...

    def history(
        self, task_id: str, limit: int, cursor: Mapping[str, Any] | None = None
    ) -> Page[HistoryEntry]: ...

    def is_history_cursor(self, cursor: Mapping[str, Any]) -> bool:
        """Whether a (signed) cursor points into an audit trail, not at another kind of item."""
        ...


class Withdrawal(StrEnum):
    """Why a request ends early: the error of its SendTaskFailure (the workflow ends in Withdrawn)."""

    WITHDRAWN = "Withdrawn"  # the task was lowered below high, or cancelled
    TASK_DELETED = "TaskDeleted"
    TASK_CHANGED = "TaskChanged"  # the approved work changed: the approval was dismissed, asked again


class ApprovalRequests(Protocol):
    """Answers the approval workflow's waiting request, addressed by its task token. A request that had
    already ended (timed out, gone) raises ApprovalRequestEnded."""

    def approve(self, token: TaskToken) -> None: ...

    def reject(self, token: TaskToken) -> None: ...

    def withdraw(self, token: TaskToken, reason: Withdrawal) -> None: ...


class DeadLetterSink(Protocol):
    def send(self, record: SQSRecord, reason: str, consumer: str) -> None: ...


class Notifier(Protocol):
    def notify(self, task: Task) -> None: ...
