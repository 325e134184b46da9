"""Lists follow every writer of the tasks table: the task-indexer projects the views from its stream.

The writers here are the API (through its real handler), and direct writes to the table as the approval
workflow, DynamoDB's TTL or a migration script make them: none of them does anything about lists.
"""

import os
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from task_indexer import handler
from task_indexer.indexer import ViewIndexer
from tasks_local.runtime.pollers import StreamPoller
from tasks_shared.adapters.dynamodb.items import to_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.dynamodb.views import DynamoDBViews
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Caller
from tests.support.pipeline import InProcess, drain

APPROVER = Caller("carol", frozenset({"approvers"}))


def titles(api, user: str = "alice", groups: tuple[str, ...] = (), **query: str) -> list[str]:
    response = api("list-tasks", user=user, groups=groups, query=query)
    assert response.status == 200, response.body
    return [task["title"] for task in response.body["items"]]


def update_directly(task_id: str, expression: str, values: dict[str, Any], names: dict[str, str]) -> None:
    """A write to the tasks table that is not the API's (workflow, script): UpdateItem, new version."""
    boto3.client("dynamodb").update_item(
        TableName=os.environ["TASKS_TABLE"],
        Key=to_item({"id": task_id}),
        UpdateExpression=f"{expression}, #version = #version + :one",
        ExpressionAttributeNames={**names, "#version": "version"},
        ExpressionAttributeValues=to_item({**values, ":one": 1}),
    )


def stored(task_id: str) -> dict[str, Any]:
    item = boto3.client("dynamodb").get_item(
        TableName=os.environ["TASKS_TABLE"], Key=to_item({"id": task_id})
    )
    return item["Item"]


def awaiting(views: DynamoDBViews, limit: int = 20) -> list[str]:
    return [
        task.title for task in views.query(ListQuery.awaiting_approval(APPROVER, limit=limit), None).items
    ]


@pytest.fixture
def views(aws) -> DynamoDBViews:
    return DynamoDBViews(boto3.client("dynamodb"), os.environ["VIEWS_TABLE"])


def test_a_title_changed_by_a_direct_update_item_shows_in_lists(api, indexer):
    task = api.create(title="draft")
    update_directly(task["id"], "SET #title = :title", {":title": "final"}, {"#title": "title"})

    indexer.catch_up()

    assert titles(api) == ["final"]


def test_a_status_changed_directly_moves_the_task_between_filtered_lists(api, indexer):
    task = api.create(title="to cancel")
    indexer.catch_up()
    update_directly(
        task["id"], "SET #status = :cancelled", {":cancelled": "cancelled"}, {"#status": "status"}
    )

    indexer.catch_up()

    assert titles(api, status="pending") == []
    assert titles(api, status="cancelled") == ["to cancel"]


def test_a_task_removed_from_the_table_leaves_every_list(api, indexer):
    task = api.create(title="expiring", assignee="bob")
    indexer.catch_up()
    # As DynamoDB's TTL deletes an item: no condition, no API involved.
    boto3.client("dynamodb").delete_item(TableName=os.environ["TASKS_TABLE"], Key=to_item({"id": task["id"]}))

    indexer.catch_up()

    assert titles(api) == titles(api, user="bob") == titles(api, user="root", groups=("admins",)) == []


def test_a_new_assignee_lists_the_task_and_the_old_one_no_longer_does(api, indexer):
    task = api.create(title="handed over", assignee="bob")
    indexer.catch_up()
    api("update-task", task_id=task["id"], body={"assignee": "dave"}, headers={})

    indexer.catch_up()

    assert (titles(api, user="bob"), titles(api, user="dave")) == ([], ["handed over"])


def test_an_api_edit_keeps_the_attributes_other_writers_own(api):
    task = api.create(title="awaiting a decision", priority="high")
    boto3.client("dynamodb").update_item(
        TableName=os.environ["TASKS_TABLE"],
        Key=to_item({"id": task["id"]}),
        UpdateExpression="SET approvalToken = :token, expiresAt = :expires",
        ExpressionAttributeValues=to_item({":token": "a-task-token", ":expires": 1900000000}),
    )

    response = api("update-task", task_id=task["id"], body={"dueDate": "2030-01-31"}, headers={})

    assert response.status == 200, response.body
    item = stored(task["id"])
    assert (item["dueDate"]["S"], item["approvalToken"]["S"], item["expiresAt"]["N"]) == (
        "2030-01-31",
        "a-task-token",
        "1900000000",
    )


def test_an_api_edit_clears_a_field_the_client_cleared(api):
    task = api.create(title="assigned", assignee="bob", dueDate="2030-01-01")

    api("update-task", task_id=task["id"], body={"assignee": None, "dueDate": None}, headers={})

    assert {"assignee", "dueDate"}.isdisjoint(stored(task["id"]))


def test_approvers_queue_lists_awaiting_tasks_oldest_request_first(api, indexer, views):
    first = api.create(title="first request", priority="high")
    api.create(title="no approval needed")
    raised = api.create(user="bob", title="raised later")
    api("update-task", user="bob", task_id=raised["id"], body={"priority": "high"}, headers={})
    api.create(title="third request", priority="high")

    indexer.catch_up()

    assert awaiting(views) == ["first request", "raised later", "third request"]
    # A decision recorded straight on the table (as the workflow records it) takes the task out.
    update_directly(
        first["id"],
        "SET #approval.#status = :approved",
        {":approved": "approved"},
        {"#approval": "approval", "#status": "status"},
    )
    indexer.catch_up()
    assert awaiting(views) == ["raised later", "third request"]


def test_the_approvers_queue_is_for_approvers_only():
    with pytest.raises(Exception, match="only approvers"):
        ListQuery.awaiting_approval(Caller("mallory"))


def test_a_replayed_older_record_never_puts_an_older_version_back(api, aws):
    task = api.create(title="v1", assignee="bob")
    api("update-task", task_id=task["id"], body={"title": "v2", "assignee": "dave"}, headers={})
    records = _stream_records(aws)
    handler.handle({"Records": records}, None)

    # The first record again (a replay from the archive of failures, a bisected retry...).
    handler.handle({"Records": records[:1]}, None)

    assert titles(api, user="dave") == ["v2"]
    assert titles(api, user="bob") == []


def test_a_malformed_item_does_not_stop_the_lists_for_everyone_else(api, indexer):
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TASKS_TABLE"], Item=to_item({"id": "by-hand", "title": "no owner, no status"})
    )
    api.create(title="after it")

    indexer.catch_up()

    assert titles(api) == ["after it"]


class FailingViews(DynamoDBViews):
    """The views table refuses the first `failures` writes (throttled), then works."""

    def __init__(self, failures: int) -> None:
        super().__init__(boto3.client("dynamodb"), os.environ["VIEWS_TABLE"])
        self.failures = failures

    def put(self, task, scope) -> bool:
        if self.failures:
            self.failures -= 1
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "PutItem")
        return super().put(task, scope)


def test_a_failed_view_write_is_retried_from_its_record_until_the_list_converges(api, aws):
    api.create(title="first")
    api.create(title="second")
    failing = FailingViews(failures=2)
    indexer = ViewIndexer(DynamoDBTaskRepository(aws, os.environ["TASKS_TABLE"]), failing)
    poller = StreamPoller(
        InProcess("task-indexer", lambda event, context: handler.handle(event, context, indexer)),
        {"batchSize": 100, "maximumRetryAttempts": 5, "startingPosition": "TRIM_HORIZON"},
        threading.Event(),
        os.environ["TASKS_TABLE"],
        None,
    )

    drain([poller])

    assert sorted(titles(api)) == ["first", "second"]


def _stream_records(aws) -> list[dict[str, Any]]:
    """Every record of the tasks table's stream so far, in the shape Lambda delivers them."""
    captured: list[dict[str, Any]] = []
    poller = StreamPoller(
        InProcess("capture", lambda event, context: captured.extend(event["Records"])),
        {"batchSize": 100, "startingPosition": "TRIM_HORIZON"},
        threading.Event(),
        os.environ["TASKS_TABLE"],
        None,
    )
    drain([poller])
    return captured
