"""`make reindex`: rebuild the listing views from the tasks table, after a restore (docs/operations.md).

The task-indexer keeps the views from the tasks table's stream; a table restored from a backup or to a
point in time has no stream history to replay, and the views table restored beside it may be a moment
behind it. This walks the tasks table (a Scan: an operator's tool, never a request path) and writes
every task's views, conditional on the task's version exactly as the indexer writes them, so it can run
while the stack serves and the indexer keeps going: neither can put an older version back. Then it
deletes every view whose task is gone, after reading the task again (consistently), so a task created
meanwhile keeps its views.

Against the running `make dev` stack by default; `make reindex ENV=staging` in AWS (credentials of the
environment's account, the tables <env>-tasks-tasks and <env>-tasks-views).
"""

import sys
from dataclasses import dataclass
from typing import Any, TextIO

from tasks_shared.adapters.dynamodb.items import task_from_item
from tasks_shared.adapters.dynamodb.views import DynamoDBViews
from tasks_shared.domain.listing import scopes_of, view_keys


@dataclass
class Reindexed:
    tasks: int = 0
    views_written: int = 0
    views_newer_kept: int = 0
    stale_views_deleted: int = 0
    unreadable_items: int = 0


def reindex(client: Any, tasks_table: str, views_table: str) -> Reindexed:
    views, done, keep = DynamoDBViews(client, views_table), Reindexed(), set()
    for page in client.get_paginator("scan").paginate(TableName=tasks_table, ConsistentRead=True):
        for item in page["Items"]:
            try:
                task = task_from_item(item)
            except (KeyError, ValueError, TypeError):
                done.unreadable_items += 1  # the indexer leaves such an item's views alone too
                continue
            done.tasks += 1
            keep |= view_keys(task)
            for scope in sorted(scopes_of(task)):
                if views.put(task, scope):
                    done.views_written += 1
                else:
                    done.views_newer_kept += 1
    projection = {
        "ProjectionExpression": "#scope, sk, #task.id",
        "ExpressionAttributeNames": {"#scope": "scope", "#task": "task"},
    }
    for page in client.get_paginator("scan").paginate(TableName=views_table, **projection):
        for item in page["Items"]:
            key = (item["scope"]["S"], item["sk"]["S"])
            if key in keep:
                continue
            task_id = item.get("task", {}).get("M", {}).get("id", {}).get("S")
            current = task_id and client.get_item(
                TableName=tasks_table, Key={"id": {"S": task_id}}, ConsistentRead=True
            ).get("Item")
            if current:
                continue  # written since the Scan: the indexer projects it
            views.delete(*key, None)
            done.stale_views_deleted += 1
    return done


def main(env: str | None, out: TextIO = sys.stdout) -> int:
    """The tables of the running local stack, or of a deployed environment; one line of counts."""
    import boto3  # noqa: PLC0415

    from tasks_local.clients.stack import StackNotRunning, running_stack, use_stack  # noqa: PLC0415
    from tasks_local.runtime.settings import LocalSettings  # noqa: PLC0415
    from tasks_ops import environments  # noqa: PLC0415
    from tasks_ops.environments import Missing  # noqa: PLC0415

    try:
        if env:
            client = environments.session(env).client("dynamodb")
            tasks_table, views_table = f"{env}-tasks-tasks", f"{env}-tasks-views"
        else:
            settings = LocalSettings.from_env()
            stack = running_stack(settings)
            use_stack(settings, stack)
            client = boto3.client("dynamodb")
            tasks_table, views_table = stack["names"]["tables"]["tasks"], stack["names"]["tables"]["views"]
        done = reindex(client, tasks_table, views_table)
    except (Missing, StackNotRunning) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{tasks_table} -> {views_table}: {done.tasks} tasks, {done.views_written} views written, "
        f"{done.views_newer_kept} already newer, {done.stale_views_deleted} stale views deleted, "
        f"{done.unreadable_items} items that are not tasks left alone",
        file=out,
    )
    return 0
