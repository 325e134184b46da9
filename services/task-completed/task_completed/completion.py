"""What a completion sets in motion besides the counters: its cycle time, the task's archive snapshot
and its retention TTL."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tasks_shared.domain.events import RejectedEvent
from tasks_shared.domain.model import Status, Task
from tasks_shared.usecases.ports import TaskRepository

_DAY_SECONDS = 86400


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def cycle_time_seconds(task: Task) -> float:
    """Seconds from creation to completion; a completion before the creation is data no retry fixes."""
    if task.completed_at is None:
        raise RejectedEvent("a completed task without completedAt")
    seconds = _epoch(task.completed_at) - _epoch(task.created_at)
    if seconds < 0:
        raise RejectedEvent("completedAt precedes createdAt")
    return seconds


def expiry(completed_at: str, retention_days: int) -> int:
    """When DynamoDB's TTL may remove the task: its completion plus the retention period (epoch seconds)."""
    return int(_epoch(completed_at)) + retention_days * _DAY_SECONDS


def set_expiry(repository: TaskRepository, task_id: str, retention_days: int) -> int | None:
    """Give a completed task its TTL, once; the expiry set, or None when there was nothing to do.

    One conditional write of `expiresAt` alone (the attribute this consumer owns): no version bump, so
    a client's ETag stays valid and no event announces this bookkeeping; an API edit racing it changes
    other attributes and neither write is lost. Tasks from other publishers (not in our table) are
    left alone.
    """
    current = repository.get(task_id)
    if (
        current is None
        or current.status is not Status.COMPLETED
        or current.completed_at is None
        or current.expires_at is not None
    ):
        return None
    expires_at = expiry(current.completed_at, retention_days)
    return expires_at if repository.set_expiry(current, expires_at) else None


class TaskArchive:
    """Snapshots of completed tasks in S3 at tasks/<ownerId>/<taskId>.json.

    The same event always writes the same key and content, so a retried put is harmless.
    """

    def __init__(self, s3_client: Any, bucket: str) -> None:
        self._s3 = s3_client
        self._bucket = bucket

    @staticmethod
    def key(task: Task) -> str:
        """tasks/<owner>/<id>.json, each part percent-encoded: ids come from events, and a `/` or `..`
        in one must not place the snapshot under another owner's prefix or outside tasks/."""
        return f"tasks/{quote(task.owner_id, safe='')}/{quote(task.id, safe='')}.json"

    def put(self, task: Task, metadata: dict[str, Any]) -> str:
        key = self.key(task)
        snapshot = {"task": task.to_dict(), "metadata": metadata}
        body = json.dumps(snapshot, separators=(",", ":"), sort_keys=True)
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body.encode(), ContentType="application/json")
        return key
