"""The activity table: audit-trail entries, per-owner counters and processed-event markers.

Three kinds of item share the table (see definitions/tables.json):

- per-owner counters: pk ``OWNER#<ownerId>``, sk ``STATS`` (``created``, ``createdLow|Medium|High``,
  ``completed``, ``cycleTimeSecondsTotal``), only ever changed with ``ADD``;
- the audit trail: pk ``TASK#<taskId>``, sk ``HIST#<occurredAt>#<eventId>``, so one Query in
  descending key order reads a task's history newest first;
- processed-event markers: pk ``EVENT#<eventId>``, sk ``<consumer>``, removed by TTL after 35 days.

An event is applied once because its *receipt* is written only if absent (``attribute_not_exists``):
the consumer's first audit entry of the event (its key holds the event id), or a marker when the
consumer records counters alone. How the rest is written follows from what a write can guard:

- audit entries alone (task-updated): plain conditional puts, each entry its own idempotency, the
  receipt last, so a delivery that died half-way is completed by the next one and a second delivery
  finds the receipt and stops: no transaction;
- counters (task-created, task-completed): an ``ADD`` is not idempotent and cannot carry the
  receipt's condition in its own item without that item listing every event it counted (unbounded),
  so the ``ADD`` and the receipt's conditional put share one TransactWriteItems: two items, no marker
  beside an audit entry that already proves the event.

docs/data-model.md ("Writes and their cost") counts the write units of each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from tasks_shared.adapters.dynamodb.items import from_item, is_condition_failure, to_item
from tasks_shared.domain.activity import (
    HISTORY_PREFIX,
    Change,
    EventMarker,
    HistoryEntry,
    OwnerStats,
    Receipt,
    plain_number,
    receipt,
)
from tasks_shared.domain.model import Priority
from tasks_shared.domain.paging import Page, one_more

# Longer than the bus archive keeps events (events/rules.json, 30 days): a replay from the archive must
# still find the marker of every event it re-delivers, or it would count them a second time.
MARKER_TTL_SECONDS = 35 * 86400
_STATS = "STATS"


def _owner_key(owner_id: str) -> dict[str, str]:
    return {"pk": f"OWNER#{owner_id}", "sk": _STATS}


def _task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


def _key(record: Receipt) -> dict[str, str]:
    if isinstance(record, EventMarker):
        return {"pk": f"EVENT#{record.event_id}", "sk": record.consumer}
    return {"pk": _task_pk(record.task_id), "sk": record.sort_key}


def history_item(entry: HistoryEntry) -> dict[str, Any]:
    """The stored audit-trail entry: its keys, and the entry as the API shows it."""
    return {**_key(entry), "taskId": entry.task_id, **entry.to_dict()}


def stats_from_item(owner_id: str, item: Mapping[str, Any]) -> OwnerStats:
    return OwnerStats(
        owner_id=owner_id,
        created=int(item.get("created", 0)),
        by_priority={p.value: int(item.get(f"created{p.value.capitalize()}", 0)) for p in Priority},
        completed=int(item.get("completed", 0)),
        cycle_time_seconds_total=plain_number(item.get("cycleTimeSecondsTotal", 0)),
    )


def history_from_item(item: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        task_id=item["taskId"],
        type=item["type"],
        actor=item.get("actor"),
        source=item["source"],
        occurred_at=item["occurredAt"],
        event_id=item["eventId"],
        changes=tuple(
            Change(change["field"], plain_number(change.get("previous")), plain_number(change.get("current")))
            for change in item.get("changes", [])
        ),
        reason=item.get("reason"),
    )


class DynamoDBActivity:
    def __init__(self, client: Any, table: str, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def is_recorded(self, proof: Receipt) -> bool:
        """Whether this receipt is stored: its consumer already applied the event, so a redelivery
        skips its side effects."""
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item(_key(proof)),
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
        history: Sequence[HistoryEntry] = (),
    ) -> bool:
        """Apply a consumer's counters and/or history entries for an event, once.

        False (and no effect) when this consumer already recorded this event; any other failure raises.
        """
        proof = receipt(event_id, consumer, history)
        others = history[1:]
        if counts:
            if owner_id is None:
                raise ValueError("counters belong to an owner")
            return self._commit(
                [
                    {"Put": self._put_request(proof, only_new=True)},
                    self._add(_owner_key(owner_id), counts),
                    *({"Put": self._put_request(entry)} for entry in others),
                ]
            )
        for entry in others:  # already there: an earlier delivery wrote it before it stopped
            self._put_new(entry)
        return self._put_new(proof)

    def _put_request(self, record: Receipt, *, only_new: bool = False) -> dict[str, Any]:
        request: dict[str, Any] = {"TableName": self._table, "Item": to_item(self._item(record))}
        if only_new:
            request |= {
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": "pk"},
            }
        return request

    def _item(self, record: Receipt) -> dict[str, Any]:
        if isinstance(record, HistoryEntry):
            return history_item(record)
        now = int(self._clock())
        return _key(record) | {"processedAt": now, "expiresAt": now + MARKER_TTL_SECONDS}

    def _put_new(self, record: Receipt) -> bool:
        """Put the item only if absent; False when it is there already."""
        try:
            self._client.put_item(**self._put_request(record, only_new=True))
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def _commit(self, writes: list[dict[str, Any]]) -> bool:
        """One transaction whose first write is the receipt; False when the receipt was there."""
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
        return stats_from_item(owner_id, from_item(item) if item else {})

    @staticmethod
    def is_history_cursor(cursor: Mapping[str, Any]) -> bool:
        return str(cursor.get("sk", "")).startswith(HISTORY_PREFIX)

    def history(
        self, task_id: str, limit: int, cursor: Mapping[str, Any] | None = None
    ) -> Page[HistoryEntry]:
        """A page of the task's audit trail, newest first: one Query on the task's partition."""
        pk = _task_pk(task_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :history)",
            "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk"},
            "ExpressionAttributeValues": to_item({":pk": pk, ":history": HISTORY_PREFIX}),
            "ScanIndexForward": False,
            # One more than the page: tells whether a next page exists without reading an empty one.
            "Limit": limit + 1,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item({"pk": pk, "sk": cursor["sk"]})
        page, more = one_more([from_item(item) for item in self._client.query(**request)["Items"]], limit)
        return Page([history_from_item(item) for item in page], {"sk": page[-1]["sk"]} if more else None)
