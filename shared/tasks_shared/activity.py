"""What the consumers derive from task events, in the activity table, and how the API reads it back.

Three kinds of item share the table (see definitions/tables.json):

- per-owner counters: pk ``OWNER#<ownerId>``, sk ``STATS`` (``created``, ``createdLow|Medium|High``,
  ``completed``, ``cycleTimeSecondsTotal``), only ever changed with ``ADD``;
- the audit trail: pk ``TASK#<taskId>``, sk ``HIST#<occurredAt>#<eventId>``, so one Query in
  descending key order reads a task's history newest first;
- processed-event markers: pk ``EVENT#<eventId>``, sk ``<consumer>``, removed by TTL after a week
  (far beyond SQS's redelivery window).

Each consumer's effect on the table is one TransactWriteItems: the marker, put only if absent, plus
its counter update and/or history entry. A redelivered event fails the marker's condition, the whole
transaction is cancelled, and nothing is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from tasks_shared.errors import InvalidPageToken
from tasks_shared.model import MUTABLE_FIELDS, Caller, Priority
from tasks_shared.pagination import PageTokens
from tasks_shared.repository.items import from_item, to_item
from tasks_shared.service import TaskService

# Longer than the bus archive keeps events (events/rules.json, 30 days): a replay from the archive must
# still find the marker of every event it re-delivers, or it would count them a second time.
MARKER_TTL_SECONDS = 35 * 86400
_HISTORY = "HIST#"
_STATS = "STATS"


def _owner_key(owner_id: str) -> dict[str, str]:
    return {"pk": f"OWNER#{owner_id}", "sk": _STATS}


def _task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


# --- what is recorded ---------------------------------------------------------------------------


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
    type: str  # "created" | "updated"
    actor: str | None
    source: str  # who published the event: `tasks.service`, or another system on the bus
    occurred_at: str
    event_id: str
    changes: tuple[Change, ...] = ()

    @classmethod
    def created(cls, detail: Mapping[str, Any], source: str) -> HistoryEntry:
        """The creation, with every client field the task started with (empty ones left out)."""
        task = detail["task"]
        changes = tuple(
            Change(name, None, task[name]) for name in MUTABLE_FIELDS if task.get(name) not in (None, "", [])
        )
        return cls._of(detail, source, "created", changes)

    @classmethod
    def updated(cls, detail: Mapping[str, Any], source: str) -> HistoryEntry:
        """A change, with each changed field's value before (from `previous`) and after (from `task`)."""
        task, previous = detail["task"], detail.get("previous", {})
        changes = tuple(Change(name, previous.get(name), task.get(name)) for name in detail["changes"])
        return cls._of(detail, source, "updated", changes)

    @classmethod
    def _of(
        cls, detail: Mapping[str, Any], source: str, kind: str, changes: tuple[Change, ...]
    ) -> HistoryEntry:
        metadata = detail["metadata"]
        return cls(
            task_id=detail["task"]["id"],
            type=kind,
            actor=metadata.get("actor"),
            source=source,
            occurred_at=metadata["occurredAt"],
            event_id=metadata["eventId"],
            changes=changes,
        )

    def to_dict(self) -> dict[str, Any]:
        """The API's representation (schemas/history.json)."""
        return {
            "type": self.type,
            "actor": self.actor,
            "source": self.source,
            "occurredAt": self.occurred_at,
            "eventId": self.event_id,
            "changes": [change.to_dict() for change in self.changes],
        }

    def to_item(self) -> dict[str, Any]:
        return {
            "pk": _task_pk(self.task_id),
            "sk": f"{_HISTORY}{self.occurred_at}#{self.event_id}",
            "taskId": self.task_id,
            **self.to_dict(),
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            task_id=item["taskId"],
            type=item["type"],
            actor=item.get("actor"),
            source=item["source"],
            occurred_at=item["occurredAt"],
            event_id=item["eventId"],
            changes=tuple(
                Change(change["field"], _plain(change.get("previous")), _plain(change.get("current")))
                for change in item.get("changes", [])
            ),
        )


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; JSON wants int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
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

    @classmethod
    def from_item(cls, owner_id: str, item: Mapping[str, Any] | None) -> OwnerStats:
        item = item or {}
        return cls(
            owner_id=owner_id,
            created=int(item.get("created", 0)),
            by_priority={p.value: int(item.get(f"created{p.value.capitalize()}", 0)) for p in Priority},
            completed=int(item.get("completed", 0)),
            cycle_time_seconds_total=_plain(item.get("cycleTimeSecondsTotal", 0)),
        )

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


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryEntry]
    cursor: dict[str, Any] | None = None
    next_token: str | None = None


# --- the DynamoDB adapter -----------------------------------------------------------------------


class ActivityRepository:
    def __init__(self, client: Any, table: str, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def is_processed(self, event_id: str, consumer: str) -> bool:
        """Whether `consumer` already applied this event: lets a redelivery skip its side effects."""
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"pk": f"EVENT#{event_id}", "sk": consumer}),
            ConsistentRead=True,
            ProjectionExpression="#pk",
            ExpressionAttributeNames={"#pk": "pk"},
        )
        return "Item" in response

    def record_once(
        self,
        event_id: str,
        consumer: str,
        *,
        owner_id: str | None = None,
        counts: Mapping[str, Any] | None = None,
        history: HistoryEntry | None = None,
    ) -> bool:
        """Apply a consumer's counters and/or history entry for an event, once.

        False (and no effect) when this consumer already recorded this event; any other failure raises.
        """
        now = int(self._clock())
        marker = {"pk": f"EVENT#{event_id}", "sk": consumer, "processedAt": now}
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(marker | {"expiresAt": now + MARKER_TTL_SECONDS}),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": "pk"},
                }
            }
        ]
        if counts:
            if owner_id is None:
                raise ValueError("counters belong to an owner")
            writes.append(self._add(_owner_key(owner_id), counts))
        if history:
            writes.append({"Put": {"TableName": self._table, "Item": to_item(history.to_item())}})
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or [{}]
            duplicate = (
                exc.response["Error"]["Code"] == "TransactionCanceledException"
                and reasons[0].get("Code") == "ConditionalCheckFailed"
            )
            if duplicate:
                return False
            raise
        return True

    def _add(self, key: dict[str, str], counts: Mapping[str, Any]) -> dict[str, Any]:
        names = {f"#c{index}": name for index, name in enumerate(counts)}
        values = {f":c{index}": value for index, value in enumerate(counts.values())}
        expression = ", ".join(f"#c{index} :c{index}" for index in range(len(counts)))
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(key),
                "UpdateExpression": f"ADD {expression}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_item(values),
            }
        }

    def stats(self, owner_id: str) -> OwnerStats:
        response = self._client.get_item(TableName=self._table, Key=to_item(_owner_key(owner_id)))
        item = response.get("Item")
        return OwnerStats.from_item(owner_id, from_item(item) if item else None)

    def history(self, task_id: str, limit: int, cursor: Mapping[str, Any] | None = None) -> HistoryPage:
        """A page of the task's audit trail, newest first: one Query on the task's partition."""
        pk = _task_pk(task_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :history)",
            "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk"},
            "ExpressionAttributeValues": to_item({":pk": pk, ":history": _HISTORY}),
            "ScanIndexForward": False,
            # One more than the page: tells whether a next page exists without reading an empty one.
            "Limit": limit + 1,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item({"pk": pk, "sk": cursor["sk"]})
        items = [from_item(item) for item in self._client.query(**request)["Items"]]
        page = items[:limit]
        next_cursor = {"sk": page[-1]["sk"]} if len(items) > limit else None
        return HistoryPage(items=[HistoryEntry.from_item(item) for item in page], cursor=next_cursor)


# --- the use cases behind GET /stats and GET /tasks/{taskId}/history ---------------------------------


class ActivityService:
    def __init__(self, repository: ActivityRepository, tasks: TaskService, page_tokens: PageTokens) -> None:
        self._repository = repository
        self._tasks = tasks
        self._tokens = page_tokens

    def stats(self, caller: Caller) -> OwnerStats:
        return self._repository.stats(caller.user_id)

    def history(
        self, caller: Caller, task_id: str, limit: int = 20, next_token: str | None = None
    ) -> HistoryPage:
        """The task's audit trail for whoever may read the task (anyone else: TaskNotFound)."""
        task = self._tasks.get(caller, task_id)
        binding = f"history|{caller.user_id}|{task.id}"
        cursor = self._tokens.decode(next_token, binding) if next_token else None
        if cursor is not None and not str(cursor.get("sk", "")).startswith(_HISTORY):
            raise InvalidPageToken(
                "nextToken is not valid for this query", [{"field": "nextToken", "issue": "invalid"}]
            )
        page = self._repository.history(task.id, limit, cursor)
        token = self._tokens.encode(page.cursor, binding) if page.cursor else None
        return HistoryPage(items=page.items, next_token=token)
