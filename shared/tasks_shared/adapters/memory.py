"""In-memory fakes of the adapters, with the same contracts, for unit tests: no AWS, no sockets.

The task repository's lists are up to date at once (the views' lag is the DynamoDB adapter's to test).
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tasks_shared.domain.activity import HISTORY_PREFIX, HistoryEntry, OwnerStats, Receipt, receipt
from tasks_shared.domain.approval import WORKFLOW_ACTOR, ApprovalStatus, ClaimedDecision, TaskToken
from tasks_shared.domain.errors import ApprovalRequestEnded, NotAwaitingApproval, VersionConflict
from tasks_shared.domain.listing import ListQuery, scopes_of, sort_key
from tasks_shared.domain.model import Priority, Status, Task
from tasks_shared.domain.paging import Page, one_more
from tasks_shared.usecases.ports import StoredTask, Withdrawal


class InMemoryTaskRepository:
    """Tasks in a dict; the workflow's attributes beside them: `tokens` (store one as the workflow's
    first state would) and the `claims` of decisions."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.tokens: dict[str, TaskToken] = {}
        self.claims: dict[str, ClaimedDecision] = {}

    def get(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def read(self, task_id: str) -> StoredTask | None:
        task = self.tasks.get(task_id)
        if task is None:
            return None
        return StoredTask(task, self.tokens.get(task_id), task_id in self.claims)

    def create(self, task: Task) -> None:
        if task.id in self.tasks:
            raise VersionConflict(f"task {task.id} already exists")
        self.tasks[task.id] = task

    def replace(self, previous: Task, current: Task) -> None:
        self._check_version(previous)
        self.tasks[current.id] = current

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        self._check_version(previous.task)
        self._check_token(previous)
        if current.id in self.claims:
            raise VersionConflict(f"a decision on task {current.id} was claimed since it was read")
        self.tokens.pop(current.id, None)
        self.tasks[current.id] = current

    def delete(self, stored: StoredTask) -> None:
        self._check_version(stored.task)
        self._check_token(stored)
        del self.tasks[stored.task.id]
        self.tokens.pop(stored.task.id, None)
        self.claims.pop(stored.task.id, None)

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        task = self.tasks.get(task_id)
        awaiting = task is not None and task.approval.status is ApprovalStatus.AWAITING
        if not awaiting or task.version != version or self.tokens.get(task_id) != token:
            raise NotAwaitingApproval(f"task {task_id} no longer awaits a decision")
        del self.tokens[task_id]
        self.claims[task_id] = claim

    def expire_claimed(
        self, task_id: str, claim: ClaimedDecision, now: str, correlation_id: str | None
    ) -> None:
        task = self.tasks.get(task_id)
        if (
            task is None
            or task.approval.status is not ApprovalStatus.AWAITING
            or self.claims.get(task_id) != claim
        ):
            return
        del self.claims[task_id]
        self.tasks[task_id] = replace(
            task,
            approval=replace(task.approval, status=ApprovalStatus.EXPIRED),
            status=Status.CANCELLED,
            version=task.version + 1,
            updated_at=now,
            updated_by=WORKFLOW_ACTOR,
            correlation_id=correlation_id or task.correlation_id,
        )

    def set_expiry(self, task: Task, expires_at: int) -> bool:
        stored = self.tasks.get(task.id)
        if stored is None or stored.completed_at != task.completed_at or stored.expires_at is not None:
            return False
        self.tasks[task.id] = replace(stored, expires_at=expires_at)
        return True

    def list(self, query: ListQuery, cursor: dict | None) -> Page:
        matching = sorted(
            (
                task
                for task in self.tasks.values()
                if scopes_of(task) & set(query.scopes)
                and query.status in (None, task.status)
                and query.priority in (None, task.priority)
            ),
            key=lambda task: sort_key(task, query.scopes[0]),
            reverse=not query.oldest_first,
        )
        if cursor:
            after = (lambda sk: sk > cursor["sk"]) if query.oldest_first else (lambda sk: sk < cursor["sk"])
            matching = [task for task in matching if after(sort_key(task, query.scopes[0]))]
        page, more = one_more(matching, query.limit)
        return Page(page, {"sk": sort_key(page[-1], query.scopes[0])} if more else None)

    def _check_version(self, task: Task) -> None:
        stored = self.tasks.get(task.id)
        if stored is None or stored.version != task.version:
            raise VersionConflict(f"task {task.id} changed since it was read")

    def _check_token(self, stored: StoredTask) -> None:
        if self.tokens.get(stored.task.id) != stored.approval_token:
            raise VersionConflict(f"the approval request of task {stored.task.id} changed since it was read")


class InMemoryActivity:
    """Counters, history and receipts in dicts; `record_once` applies an event once, as the table does."""

    def __init__(self) -> None:
        self.receipts: set[Hashable] = set()
        self.counters: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, list[HistoryEntry]] = {}

    def is_recorded(self, proof: Receipt) -> bool:
        return _identity(proof) in self.receipts

    def record_once(
        self,
        event_id: str,
        consumer: str,
        *,
        owner_id: str | None = None,
        counts: Mapping[str, Any] | None = None,
        history: Sequence[HistoryEntry] = (),
    ) -> bool:
        proof = _identity(receipt(event_id, consumer, history))
        if proof in self.receipts:
            return False
        self.receipts.add(proof)
        if counts:
            if owner_id is None:
                raise ValueError("counters belong to an owner")
            counters = self.counters.setdefault(owner_id, {})
            for name, value in counts.items():
                counters[name] = counters.get(name, 0) + value
        for entry in history:
            self.entries.setdefault(entry.task_id, []).append(entry)
        return True

    def stats(self, owner_id: str) -> OwnerStats:
        counters = self.counters.get(owner_id, {})
        return OwnerStats(
            owner_id=owner_id,
            created=counters.get("created", 0),
            by_priority={p.value: counters.get(f"created{p.value.capitalize()}", 0) for p in Priority},
            completed=counters.get("completed", 0),
            cycle_time_seconds_total=float(counters.get("cycleTimeSecondsTotal", 0)),
        )

    def history(
        self, task_id: str, limit: int, cursor: Mapping[str, Any] | None = None
    ) -> Page[HistoryEntry]:
        newest_first = sorted(self.entries.get(task_id, []), key=lambda entry: entry.sort_key, reverse=True)
        if cursor:
            newest_first = [entry for entry in newest_first if entry.sort_key < cursor["sk"]]
        page, more = one_more(newest_first, limit)
        return Page(page, {"sk": page[-1].sort_key} if more else None)

    @staticmethod
    def is_history_cursor(cursor: Mapping[str, Any]) -> bool:
        return str(cursor.get("sk", "")).startswith(HISTORY_PREFIX)


def _identity(proof: Receipt) -> Hashable:
    """What keys a receipt in the table: an entry's place in its task's trail, or the marker itself."""
    return (proof.task_id, proof.sort_key) if isinstance(proof, HistoryEntry) else proof


class RecordingDeadLetters:
    """Keeps what would go to a DLQ: (message id, reason, consumer)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, record: SQSRecord, reason: str, consumer: str) -> None:
        self.sent.append((record.message_id, reason, consumer))


class RecordingNotifier:
    """Keeps the tasks whose assignee would be told."""

    def __init__(self) -> None:
        self.notified: list[Task] = []

    def notify(self, task: Task) -> None:
        self.notified.append(task)


class RecordingApprovals:
    """Keeps each answer sent to the workflow: (kind, token, withdrawal reason or None). A token in
    `ended` is refused as Step Functions refuses a request that had already ended."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, TaskToken, Withdrawal | None]] = []
        self.ended: set[TaskToken] = set()

    def approve(self, token: TaskToken) -> None:
        self._send("approve", token)

    def reject(self, token: TaskToken) -> None:
        self._send("reject", token)

    def withdraw(self, token: TaskToken, reason: Withdrawal) -> None:
        self._send("withdraw", token, reason)

    def _send(self, kind: str, token: TaskToken, reason: Withdrawal | None = None) -> None:
        if token in self.ended:
            raise ApprovalRequestEnded("the approval request had already ended")
        self.sent.append((kind, token, reason))
