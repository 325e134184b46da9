"""DynamoDB implementation: the task item and its listing views are written in one transaction."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tasks_shared.errors import VersionConflict
from tasks_shared.listing import ListQuery, Page, scopes_of, sort_key
from tasks_shared.model import Task

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_CONFLICT_REASONS = {"ConditionalCheckFailed", "TransactionConflict"}

# (status filter?, priority filter?) -> (index name or None for the table, partition attribute)
LIST_INDEXES = {
    (False, False): (None, "scope"),
    (True, False): ("byStatus", "scopeStatus"),
    (False, True): ("byPriority", "scopePriority"),
    (True, True): ("byStatusPriority", "scopeStatusPriority"),
}


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _view(task: Task, scope: str) -> dict[str, Any]:
    view = {
        "scope": scope,
        "sk": sort_key(task),
        "scopeStatus": f"{scope}#{task.status}",
        "scopePriority": f"{scope}#{task.priority}",
        "scopeStatusPriority": f"{scope}#{task.status}#{task.priority}",
        "task": task.to_dict(),
    }
    if task.expires_at is not None:
        view["expiresAt"] = task.expires_at  # a view expires with its task (the views table's TTL)
    return view


def _partition_value(query: ListQuery) -> str:
    return "#".join(part for part in (query.scope, query.status, query.priority) if part)


class DynamoDBTaskRepository:
    def __init__(self, client: Any, tasks_table: str, views_table: str) -> None:
        self._client = client
        self._tasks = tasks_table
        self._views = views_table

    def get(self, task_id: str) -> Task | None:
        response = self._client.get_item(
            TableName=self._tasks, Key=to_item({"id": task_id}), ConsistentRead=True
        )
        item = response.get("Item")
        return Task.from_dict(from_item(item)) if item else None

    def create(self, task: Task) -> None:
        put = {
            "Put": {
                "TableName": self._tasks,
                "Item": to_item(task.to_record()),
                "ConditionExpression": "attribute_not_exists(#id)",
                "ExpressionAttributeNames": {"#id": "id"},
            }
        }
        self._transact([put, *self._put_views(task, scopes_of(task))], task.id)

    def replace(self, previous: Task, current: Task) -> None:
        put = {
            "Put": {
                "TableName": self._tasks,
                "Item": to_item(current.to_record()),
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": to_item({":version": previous.version}),
            }
        }
        stale = scopes_of(previous) - scopes_of(current)
        writes = [put, *self._put_views(current, scopes_of(current)), *self._delete_views(previous, stale)]
        self._transact(writes, current.id)

    def delete(self, task: Task) -> None:
        delete = {
            "Delete": {
                "TableName": self._tasks,
                "Key": to_item({"id": task.id}),
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": to_item({":version": task.version}),
            }
        }
        self._transact([delete, *self._delete_views(task, scopes_of(task))], task.id)

    def list(self, query: ListQuery, cursor: dict | None) -> Page:
        index, partition = LIST_INDEXES[(query.status is not None, query.priority is not None)]
        request: dict[str, Any] = {
            "TableName": self._views,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": partition},
            "ExpressionAttributeValues": to_item({":p": _partition_value(query)}),
            "ScanIndexForward": False,
            # One more than the page: tells whether a next page exists without reading an empty one.
            "Limit": query.limit + 1,
        }
        if index:
            request["IndexName"] = index
        if cursor:
            request["ExclusiveStartKey"] = to_item(cursor)
        items = [from_item(item) for item in self._client.query(**request)["Items"]]
        page = items[: query.limit]
        next_cursor = None
        if len(items) > query.limit:
            last = page[-1]
            next_cursor = {key: last[key] for key in {"scope", "sk", partition}}
        return Page(items=[Task.from_dict(item["task"]) for item in page], cursor=next_cursor)

    def _put_views(self, task: Task, scopes: set[str]) -> list[dict[str, Any]]:
        return [
            {"Put": {"TableName": self._views, "Item": to_item(_view(task, scope))}}
            for scope in sorted(scopes)
        ]

    def _delete_views(self, task: Task, scopes: set[str]) -> list[dict[str, Any]]:
        return [
            {"Delete": {"TableName": self._views, "Key": to_item({"scope": scope, "sk": sort_key(task)})}}
            for scope in sorted(scopes)
        ]

    def _transact(self, items: list[dict[str, Any]], task_id: str) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = {reason.get("Code") for reason in exc.response.get("CancellationReasons", [])}
            if (
                exc.response["Error"]["Code"] == "TransactionCanceledException"
                and reasons & _CONFLICT_REASONS
            ):
                raise VersionConflict(f"task {task_id} changed since it was read") from exc
            raise
