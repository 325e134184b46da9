"""`make reindex` (ops/tasks_ops/reindex.py) on moto: after a restore, the views are rebuilt from
the tasks table alone: every task listed where it belongs, no view of a gone task, none made older."""

import os
import uuid
from dataclasses import replace

import pytest

from tasks_ops.reindex import reindex
from tasks_shared.adapters.dynamodb.items import to_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.dynamodb.views import DynamoDBViews, view_item
from tasks_shared.domain.listing import view_keys
from tasks_shared.domain.model import Task, utcnow


@pytest.fixture
def tables(aws):
    tasks_table, views_table = os.environ["TASKS_TABLE"], os.environ["VIEWS_TABLE"]
    return (
        aws,
        DynamoDBTaskRepository(aws, tasks_table),
        DynamoDBViews(aws, views_table),
        tasks_table,
        views_table,
    )


def _task(owner="alice", **fields) -> Task:
    return Task.new(str(uuid.uuid4()), owner, {"title": "a restored task", **fields}, utcnow())


def _view_keys(client, views_table) -> set[tuple[str, str]]:
    items = client.scan(TableName=views_table)["Items"]
    return {(item["scope"]["S"], item["sk"]["S"]) for item in items}


def test_every_task_of_a_restored_table_gets_its_views(tables):
    client, tasks, _, tasks_table, views_table = tables
    # Given a tasks table restored without its views (no stream ran over it)
    written = [_task(), _task(owner="bob", assignee="alice"), _task(priority="high")]
    for task in written:
        tasks.create(task)

    # When the views are rebuilt
    done = reindex(client, tasks_table, views_table)

    # Then each task is in exactly the views the indexer would have written
    assert _view_keys(client, views_table) == set().union(*(view_keys(task) for task in written))
    assert (done.tasks, done.views_written) == (3, sum(len(view_keys(task)) for task in written))


def test_views_of_tasks_no_longer_in_the_table_are_deleted(tables):
    client, tasks, views, tasks_table, views_table = tables
    kept, gone = _task(), _task()
    tasks.create(kept)
    for scope, _ in view_keys(gone):  # the views table restored a moment later than the tasks table
        views.put(gone, scope)

    done = reindex(client, tasks_table, views_table)

    assert _view_keys(client, views_table) == view_keys(kept)
    assert done.stale_views_deleted == len(view_keys(gone))


def test_a_view_already_holding_a_newer_version_is_kept(tables):
    client, tasks, views, tasks_table, views_table = tables
    task = _task()
    tasks.create(task)
    newer = replace(task, title="renamed since", version=task.version + 1)
    for scope, _ in view_keys(newer):  # the indexer got there first with a newer version
        views.put(newer, scope)

    done = reindex(client, tasks_table, views_table)

    stored = client.get_item(
        TableName=views_table, Key=to_item({"scope": "ALL", "sk": view_item(task, "ALL")["sk"]})
    )
    assert stored["Item"]["task"]["M"]["title"]["S"] == "renamed since"
    assert done.views_newer_kept == len(view_keys(task))


def test_an_item_that_is_not_a_task_is_left_alone(tables):
    client, tasks, _, tasks_table, views_table = tables
    tasks.create(_task())
    client.put_item(
        TableName=tasks_table, Item={"id": {"S": "not-a-task"}, "note": {"S": "a script's mistake"}}
    )

    done = reindex(client, tasks_table, views_table)

    assert (done.tasks, done.unreadable_items) == (1, 1)
