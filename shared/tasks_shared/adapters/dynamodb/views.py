"""The listing views in DynamoDB: one item per (scope, task), written only by the task-indexer from
the tasks table's stream, and read by every list request.

Every write is conditional on the task's version, so a view never goes back to an older version of
its task, whatever order records are (re)delivered in.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tasks_shared.adapters.dynamodb.items import from_item, is_condition_failure, to_item
from tasks_shared.domain.listing import AWAITING, ListQuery, sort_key
from tasks_shared.domain.model import Task
from tasks_shared.domain.paging import Page

# (status filter?, priority filter?) -> (index name or None for the table, partition attribute)
LIST_INDEXES = {
    (False, False): (None, "scope"),
    (True, False): ("byStatus", "scopeStatus"),
    (False, True): ("byPriority", "scopePriority"),
    (True, True): ("byStatusPriority", "scopeStatusPriority"),
}
# A view may be written by the version it holds or a newer one, never an older one.
_NOT_NEWER = "attribute_not_exists(#scope) OR #task.#version <= :version"
_NAMES = {"#scope": "scope", "#task": "task", "#version": "version"}


def view_item(task: Task, scope: str) -> dict[str, Any]:
    view: dict[str, Any] = {"scope": scope, "sk": sort_key(task, scope), "task": task.to_dict()}
    if scope != AWAITING:  # the approvers' queue is not filtered: its views stay out of the indexes
        view |= {
            "scopeStatus": f"{scope}#{task.status}",
            "scopePriority": f"{scope}#{task.priority}",
            "scopeStatusPriority": f"{scope}#{task.status}#{task.priority}",
        }
    if task.expires_at is not None:
        view["expiresAt"] = task.expires_at  # a view expires with its task (the views table's TTL)
    return view


# In a cursor, a scope whose Query has nothing left.
_DONE = "done"


def _partition_value(query: ListQuery, scope: str) -> str:
    return "#".join(part for part in (scope, query.status, query.priority) if part)


class DynamoDBViews:
    def __init__(self, client: Any, views_table: str) -> None:
        self._client = client
        self._table = views_table

    def query(self, query: ListQuery, cursor: dict | None) -> Page:
        """One page of a list: one Query per scope, each reading at most limit+1 items, merged in sort
        order. The cursor holds each scope's position (or that it is done), so no item is skipped or
        shown twice, including a task listed in two of the scopes (its owner assigned it to themselves).
        """
        positions = cursor or {}
        reads = {
            scope: self._read(query, scope, positions.get(scope))
            for scope in query.scopes
            if positions.get(scope) != _DONE
        }
        merged = sorted(
            (item for items in reads.values() for item in items),
            key=lambda item: item["sk"],
            reverse=not query.oldest_first,
        )
        page: dict[str, dict[str, Any]] = {}
        for item in merged:
            if len(page) == query.limit:
                break
            page.setdefault(item["task"]["id"], item)
        if not page:
            return Page(items=[])
        boundary = list(page.values())[-1]["sk"]
        next_positions = {}
        for scope in query.scopes:
            items = reads.get(scope)
            if items is None:
                next_positions[scope] = _DONE
                continue
            # What this scope contributed to the page: everything up to the page's last item.
            shown = [item for item in items if _reached(item["sk"], boundary, query.oldest_first)]
            exhausted = len(items) <= query.limit
            if exhausted and len(shown) == len(items):
                next_positions[scope] = _DONE
            else:
                next_positions[scope] = _key(query, shown[-1]) if shown else positions.get(scope)
        more = any(position != _DONE for position in next_positions.values())
        tasks = [Task.from_dict(item["task"]) for item in page.values()]
        return Page(items=tasks, next=next_positions if more else None)

    def _read(self, query: ListQuery, scope: str, start: dict | None) -> list[dict[str, Any]]:
        index, partition = _index(query)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": partition},
            "ExpressionAttributeValues": to_item({":p": _partition_value(query, scope)}),
            "ScanIndexForward": query.oldest_first,
            # One more than the page: tells whether a next page exists without reading an empty one.
            "Limit": query.limit + 1,
        }
        if index:
            request["IndexName"] = index
        if start:
            request["ExclusiveStartKey"] = to_item(start)
        return [from_item(item) for item in self._client.query(**request)["Items"]]

    def put(self, task: Task, scope: str) -> bool:
        """Write the task's view in `scope`; False when a newer version of the task is already there."""
        return self._write("put_item", Item=to_item(view_item(task, scope)), **_condition(task.version))

    def delete(self, scope: str, sk: str, version: int | None) -> bool:
        """Remove a view that no longer applies: unless a newer version than `version` holds the key;
        with no version (the task is gone from the table), whatever it holds."""
        key = to_item({"scope": scope, "sk": sk})
        return self._write("delete_item", Key=key, **(_condition(version) if version is not None else {}))

    def _write(self, operation: str, **request: Any) -> bool:
        try:
            getattr(self._client, operation)(TableName=self._table, **request)
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True


def _reached(sk: str, boundary: str, oldest_first: bool) -> bool:
    return sk <= boundary if oldest_first else sk >= boundary


def _index(query: ListQuery) -> tuple[str | None, str]:
    return LIST_INDEXES[(query.status is not None, query.priority is not None)]


def _key(query: ListQuery, item: dict[str, Any]) -> dict[str, Any]:
    """Where a Query resumes after `item`: its table key and the index's partition attribute."""
    return {key: item[key] for key in {"scope", "sk", _index(query)[1]}}


def _condition(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": _NOT_NEWER,
        "ExpressionAttributeNames": _NAMES,
        "ExpressionAttributeValues": to_item({":version": version}),
    }
