"""DynamoDB implementation of the task repository: one conditional write on the task item per change.

Lists are not written here: the task-indexer function projects the listing views from the table's
stream, so they follow every writer of the table (API, workflow, TTL, scripts) alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from tasks_shared.adapters.dynamodb import approvals
from tasks_shared.adapters.dynamodb.items import is_condition_failure, task_from_item, task_record, to_item
from tasks_shared.adapters.dynamodb.views import DynamoDBViews
from tasks_shared.domain.approval import ClaimedDecision, TaskToken
from tasks_shared.domain.errors import NotAwaitingApproval, VersionConflict
from tasks_shared.domain.fields import FIELDS, Writer
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Task
from tasks_shared.domain.paging import Page
from tasks_shared.usecases.ports import StoredTask

_BATCH_GET_MAX = 100  # keys per BatchGetItem call
_BATCH_GET_ATTEMPTS = 5

# What an API write owns (docs/design.md §2): it sets or removes these and nothing else, so the attributes of
# other writers (the workflow's approvalToken, the retention write's expiresAt) survive every edit.
API_ATTRIBUTES = tuple(field.stored for field in FIELDS if field.owner is Writer.API and field.name != "id")
_VERSION = next(field.stored for field in FIELDS if field.name == "version")


def _api_update(task: Task, expected_version: int, withdrawal: StoredTask | None = None) -> dict[str, Any]:
    """UpdateItem arguments that set the API's attributes of `task` (removing the unset ones), only
    while the stored version is the one read. A withdrawal (the `withdrawal` read) also removes the
    workflow's token, only while it is the one read and no approver has claimed a decision."""
    record = task_record(task)
    names = {f"#a{i}": name for i, name in enumerate(API_ATTRIBUTES)}
    values = {f":a{i}": record[name] for i, name in enumerate(API_ATTRIBUTES) if name in record}
    sets = [f"#a{i} = :a{i}" for i, name in enumerate(API_ATTRIBUTES) if name in record]
    removes = [f"#a{i}" for i, name in enumerate(API_ATTRIBUTES) if name not in record]
    condition = f"#a{API_ATTRIBUTES.index(_VERSION)} = :expected"
    if withdrawal is not None:
        token_condition, token_values = approvals.token_condition(withdrawal.approval_token)
        removes.append("#token")
        condition += f" AND {token_condition} AND attribute_not_exists(#decision)"
        names |= approvals.NAMES
        values |= token_values
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "Key": to_item({"id": task.id}),
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item({**values, ":expected": expected_version}),
    }


class DynamoDBTaskRepository:
    def __init__(self, client: Any, tasks_table: str, views_table: str | None = None) -> None:
        """`views_table` is where lists are read; functions that never list (consumers) leave it out."""
        self._client = client
        self._tasks = tasks_table
        self._views = DynamoDBViews(client, views_table) if views_table else None

    def get(self, task_id: str) -> Task | None:
        stored = self.read(task_id)
        return stored.task if stored else None

    def read(self, task_id: str) -> StoredTask | None:
        response = self._client.get_item(
            TableName=self._tasks, Key=to_item({"id": task_id}), ConsistentRead=True
        )
        item = response.get("Item")
        if not item:
            return None
        token = item.get(approvals.TOKEN_ATTRIBUTE, {}).get("S")
        claimed = approvals.DECISION_ATTRIBUTE in item
        return StoredTask(task_from_item(item), TaskToken(token) if token else None, claimed)

    def get_items(self, task_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored items (DynamoDB JSON) of these tasks that exist, by id: consistent reads, 100 a call."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(task_ids), _BATCH_GET_MAX):
            keys = [to_item({"id": task_id}) for task_id in task_ids[start : start + _BATCH_GET_MAX]]
            request = {self._tasks: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(_BATCH_GET_ATTEMPTS):
                if attempt:
                    time.sleep(0.05 * 2**attempt)  # keys left unprocessed under throttling: back off
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._tasks, []):
                    found[item["id"]["S"]] = item
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError(f"{len(request[self._tasks]['Keys'])} tasks still unread after retries")
        return found

    def create(self, task: Task) -> None:
        self._conditional(
            "put_item",
            task.id,
            Item=to_item(task_record(task)),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": "id"},
        )

    def replace(self, previous: Task, current: Task) -> None:
        """Write the API's attributes of `current` over `previous`, if nobody wrote in between."""
        self._conditional("update_item", current.id, **_api_update(current, previous.version))

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        self._conditional("update_item", current.id, **_api_update(current, previous.task.version, previous))

    def delete(self, stored: StoredTask) -> None:
        token_condition, token_values = approvals.token_condition(stored.approval_token)
        self._conditional(
            "delete_item",
            stored.task.id,
            Key=to_item({"id": stored.task.id}),
            ConditionExpression=f"#version = :version AND {token_condition}",
            ExpressionAttributeNames={"#version": "version", "#token": approvals.TOKEN_ATTRIBUTE},
            ExpressionAttributeValues=to_item({":version": stored.task.version, **token_values}),
        )

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        request = approvals.claim_request(task_id, token, claim, version)
        try:
            self._client.update_item(TableName=self._tasks, **request)
        except ClientError as exc:
            if is_condition_failure(exc):
                raise NotAwaitingApproval(
                    f"task {task_id} no longer awaits a decision on that version: another approver's came "
                    "first, the request ended, or the task changed"
                ) from exc
            raise

    def expire_claimed(
        self, task_id: str, claim: ClaimedDecision, now: str, correlation_id: str | None
    ) -> None:
        request = approvals.expire_request(task_id, claim, now, correlation_id)
        try:
            self._client.update_item(TableName=self._tasks, **request)
        except ClientError as exc:
            if not is_condition_failure(exc):  # else the workflow closed the request meanwhile
                raise

    def set_expiry(self, task: Task, expires_at: int) -> bool:
        """Give a completed task its retention TTL, once: the retention write owns `expiresAt` only and
        bumps no version, so a client's ETag stays valid. False when there was nothing to do (no longer
        completed as read, or an expiry already set)."""
        try:
            self._client.update_item(
                TableName=self._tasks,
                Key=to_item({"id": task.id}),
                UpdateExpression="SET #expiresAt = :expiresAt",
                ConditionExpression="#completedAt = :completedAt AND #status = :completed"
                " AND attribute_not_exists(#expiresAt)",
                ExpressionAttributeNames={
                    "#expiresAt": "expiresAt",
                    "#completedAt": "completedAt",
                    "#status": "status",
                },
                ExpressionAttributeValues=to_item(
                    {":expiresAt": expires_at, ":completedAt": task.completed_at, ":completed": "completed"}
                ),
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def list(self, query: ListQuery, cursor: dict | None) -> Page:
        if self._views is None:
            raise RuntimeError("this repository was built without the views table: it cannot list")
        return self._views.query(query, cursor)

    def _conditional(self, operation: str, task_id: str, **request: Any) -> None:
        try:
            getattr(self._client, operation)(TableName=self._tasks, **request)
        except ClientError as exc:
            if is_condition_failure(exc):
                raise VersionConflict(f"task {task_id} changed since it was read") from exc
            raise
