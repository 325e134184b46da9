"""The small interfaces the services need of storage and messaging; adapters implement them (DynamoDB,
SQS, SNS in tasks_shared.adapters; in-memory fakes in adapters.memory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tasks_shared.domain.activity import HistoryEntry, OwnerStats
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Task
from tasks_shared.domain.paging import Page


class TaskRepository(Protocol):
    """Every write is conditional: `create` on absence, `replace`/`delete` on the version read.

    A failed condition raises VersionConflict, so no concurrent change is silently overwritten. A write
    changes only the attributes its writer owns (DESIGN §2). Lists may lag the writes a moment: they
    are derived from the table, whoever wrote it.
    """

    def get(self, task_id: str) -> Task | None: ...

    def create(self, task: Task) -> None: ...

    def replace(self, previous: Task, current: Task) -> None: ...

    def delete(self, task: Task) -> None: ...

    def set_expiry(self, task: Task, expires_at: int) -> bool: ...

    def list(self, query: ListQuery, cursor: dict | None) -> Page[Task]: ...


class ActivityStore(Protocol):
    """Counters, audit trail and processed-event markers, each event applied at most once."""

    def is_processed(self, event_id: str, consumer: str) -> bool: ...

    def record_once(
        self,
        event_id: str,
        consumer: str,
        *,
        owner_id: str | None = None,
        counts: Mapping[str, Any] | None = None,
        history: HistoryEntry | None = None,
    ) -> bool: ...

    def stats(self, owner_id: str) -> OwnerStats: ...

    def history(
        self, task_id: str, limit: int, cursor: Mapping[str, Any] | None = None
    ) -> Page[HistoryEntry]: ...

    def is_history_cursor(self, cursor: Mapping[str, Any]) -> bool:
        """Whether a (signed) cursor points into an audit trail, not at another kind of item."""
        ...


class DeadLetterSink(Protocol):
    def send(self, record: SQSRecord, reason: str, consumer: str) -> None: ...


class Notifier(Protocol):
    def notify(self, task: Task) -> None: ...
