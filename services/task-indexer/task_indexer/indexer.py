"""Stream records of the tasks table → the listing views. Idempotent and order-proof.

A record only says *which* task changed. The views are projected from what the table holds now (a
consistent read), and every view write is conditional on the task's version, so a redelivered, retried
or replayed record can never put an older version back, whoever wrote the table and in whatever order
records arrive. The records' images only tell which views may have become stale: any key an image
held that the current task no longer has is deleted, and a task none of whose records changes what
its views hold (the workflow storing or claiming its token: attributes no view shows) is not projected
at all: its views already hold what they would be written with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.exceptions import BotoCoreError, ClientError

from task_indexer import logger, metrics, tracer
from tasks_shared.adapters.dynamodb.items import task_from_item
from tasks_shared.adapters.dynamodb.views import DynamoDBViews, view_item
from tasks_shared.domain.listing import scopes_of, view_keys
from tasks_shared.domain.model import Task


class TaskReader(Protocol):
    """What the indexer needs of the tasks table: consistent reads of the stored items of some tasks."""

    def get_items(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...


@dataclass
class _Change:
    """Every record of one task in the batch: where it first appears, and the view keys its images held."""

    task_id: str
    position: int
    sequence_number: str
    stale_candidates: set[tuple[str, str]] = field(default_factory=set)
    changes_views: bool = False


class ViewIndexer:
    def __init__(self, tasks: TaskReader, views: DynamoDBViews) -> None:
        self._tasks = tasks
        self._views = views

    @tracer.capture_method
    def index(self, records: Sequence[DynamoDBRecord]) -> str | None:
        """Project every task the batch changed; the SequenceNumber of the earliest record whose task
        could not be projected (Lambda resumes from it), None when all were."""
        changes = [change for change in _changes(records) if change.changes_views]
        if not changes:
            return None
        try:
            stored = self._tasks.get_items([change.task_id for change in changes])
        except (ClientError, BotoCoreError) as exc:
            logger.warning("tasks not read; the whole batch is retried", error=f"{type(exc).__name__}: {exc}")
            return changes[0].sequence_number
        failed: list[_Change] = []
        for change in changes:
            try:
                self._project(change, stored.get(change.task_id))
            except (ClientError, BotoCoreError) as exc:
                logger.warning(
                    "task not indexed; the batch resumes from it",
                    task_id=change.task_id,
                    sequence_number=change.sequence_number,
                    error=f"{type(exc).__name__}: {exc}",
                )
                failed.append(change)
        metrics.add_metric(name="TasksIndexed", unit=MetricUnit.Count, value=len(changes) - len(failed))
        return min(failed, key=lambda change: change.position).sequence_number if failed else None

    def _project(self, change: _Change, item: dict[str, Any] | None) -> None:
        try:
            current = task_from_item(item) if item else None
        except (KeyError, ValueError, TypeError) as exc:
            # A malformed item (a script's mistake): no retry fixes it, so it must not block the shard.
            logger.error(
                "task item is not a task; its views are left as they are",
                task_id=change.task_id,
                reason=f"{type(exc).__name__}: {exc}",
            )
            metrics.add_metric(name="UnindexableTasks", unit=MetricUnit.Count, value=1)
            return
        keep = view_keys(current) if current else set()
        if current:
            for scope in sorted(scopes_of(current)):
                self._views.put(current, scope)
        for scope, sk in sorted(change.stale_candidates - keep):
            # Gone from the table (deleted, expired): whatever version a view holds, it goes too.
            self._views.delete(scope, sk, current.version if current else None)


def _changes(records: Sequence[DynamoDBRecord]) -> list[_Change]:
    """One change per task, in order of first appearance: a burst of edits is projected once."""
    changes: dict[str, _Change] = {}
    for position, record in enumerate(records):
        stream = record.dynamodb
        raw_keys: dict[str, Any] = (stream.raw_event.get("Keys") if stream else None) or {}
        task_id = raw_keys.get("id", {}).get("S")
        if task_id is None:
            logger.error("stream record without a task id", stream_event_id=record.event_id)
            continue
        change = changes.setdefault(task_id, _Change(task_id, position, stream.sequence_number))
        old, new = _image(record, "OldImage"), _image(record, "NewImage")
        for task in (old, new):
            if task:
                change.stale_candidates |= view_keys(task)
        change.changes_views |= old is None or new is None or _views(old) != _views(new)
    return list(changes.values())


def _views(task: Task) -> dict[str, dict[str, Any]]:
    return {scope: view_item(task, scope) for scope in scopes_of(task)}


def _image(record: DynamoDBRecord, image: str) -> Task | None:
    raw = record.dynamodb.raw_event.get(image) if record.dynamodb else None
    if not raw:
        return None
    try:
        return task_from_item(raw)
    except (KeyError, ValueError, TypeError):
        return None  # not a task: it cannot have had views
