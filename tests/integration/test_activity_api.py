"""GET /stats and GET /tasks/{taskId}/history through the real tasks-api handler, against moto.

The activity the consumers would record is written with the same repository they use.
"""

import json
import os
from typing import Any

import pytest

from tasks_api.handler import handle, lambda_handler
from tasks_local.runtime.functions import LambdaContext
from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.domain.activity import HistoryEntry, OwnerStats, completed_counts, created_counts
from tasks_shared.domain.events import parse_event
from tasks_shared.domain.paging import Page
from tests.support.samples import api_event, load_event


@pytest.fixture
def activity(aws) -> DynamoDBActivity:
    return DynamoDBActivity(aws, os.environ["ACTIVITY_TABLE"])


def history(task_id: str, *, user: str = "alice", groups: tuple[str, ...] = (), **query: Any):
    """GET /tasks/{task_id}/history: (status, body)."""
    query_string = {k: str(v) for k, v in query.items()}
    event = api_event("get-task-history", user=user, groups=groups, task_id=task_id, query=query_string)
    result = lambda_handler(event, LambdaContext("tasks-api"))
    return result["statusCode"], json.loads(result["body"])


def record_change(activity: DynamoDBActivity, task_id: str, number: int, actor: str = "alice") -> str:
    """The audit entry task-updated writes for a title change; returns its eventId."""
    detail = load_event("samples/eventbridge/TaskUpdated")["detail"]
    detail["task"]["id"] = task_id
    detail["metadata"] |= {
        "eventId": f"event-{number}",
        "occurredAt": f"2026-11-22T09:{number:02d}:00Z",
        "actor": actor,
    }
    detail["changes"], detail["previous"] = ["title"], {"title": f"title {number - 1}"}
    detail["task"]["title"] = f"title {number}"
    body = json.dumps({"detail-type": "TaskUpdated", "source": "tasks.service", "detail": detail})
    entry = HistoryEntry.updated(parse_event(body, "TaskUpdated"))
    activity.record_once(f"event-{number}", "task-updated", history=(entry,))
    return f"event-{number}"


class RecordingActivity:
    """An activity service of the test's own: it answers from nothing and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def stats(self, caller) -> OwnerStats:
        self.calls.append(("stats", caller.user_id))
        return OwnerStats(caller.user_id, created=7)

    def history(self, caller, task_id: str, limit: int = 20, next_token: str | None = None) -> Page:
        self.calls.append(("history", caller.user_id, task_id, limit))
        return Page(items=[], next="from-the-test")


def _handled(activity: RecordingActivity, name: str, **overrides: Any) -> tuple[int, Any]:
    result = handle(api_event(name, **overrides), LambdaContext("tasks-api"), activity=activity)
    return result["statusCode"], json.loads(result["body"])


# --- GET /stats -------------------------------------------------------------------------------------


def test_stats_of_a_new_user_are_zeros(api):
    response = api("get-stats", user="newcomer")

    assert response.status == 200
    assert response.body == {
        "ownerId": "newcomer",
        "created": 0,
        "byPriority": {"low": 0, "medium": 0, "high": 0},
        "completed": 0,
        "cycleTime": {"averageSeconds": None, "totalSeconds": 0},
    }


def test_stats_show_the_callers_counters_and_average_cycle_time(api, activity):
    for number, priority in enumerate(("low", "high", "high")):
        activity.record_once(f"c{number}", "task-created", owner_id="alice", counts=created_counts(priority))
    activity.record_once("d1", "task-completed", owner_id="alice", counts=completed_counts(60))
    activity.record_once("d2", "task-completed", owner_id="alice", counts=completed_counts(90.5))

    body = api("get-stats").body

    assert (body["created"], body["byPriority"], body["completed"]) == (
        3,
        {"low": 1, "medium": 0, "high": 2},
        2,
    )
    assert body["cycleTime"] == {"averageSeconds": 75.25, "totalSeconds": 150.5}


def test_stats_are_the_callers_own(api, activity):
    activity.record_once("c1", "task-created", owner_id="alice", counts=created_counts("low"))

    assert api("get-stats", user="bob").body["created"] == 0


@pytest.mark.usefixtures("aws")  # were the default used, it would read moto's empty tables
def test_stats_come_from_the_activity_service_passed_to_handle():
    activity = RecordingActivity()

    status, body = _handled(activity, "get-stats", user="dana")

    assert (status, body["created"], activity.calls) == (200, 7, [("stats", "dana")])


def test_stats_need_a_token(api):
    assert api("get-stats", user=None).status == 401


# --- GET /tasks/{taskId}/history ----------------------------------------------------------------------


def test_history_lists_the_entries_newest_first(api, activity):
    task = api.create()
    recorded = [record_change(activity, task["id"], number) for number in (1, 2, 3)]

    status, body = history(task["id"])

    assert status == 200
    assert [entry["eventId"] for entry in body["items"]] == list(reversed(recorded))
    assert body["nextToken"] is None


def test_history_entry_says_who_changed_what_and_when(api, activity):
    task = api.create()
    record_change(activity, task["id"], 7, actor="bob")

    [entry] = history(task["id"])[1]["items"]

    assert entry == {
        "type": "updated",
        "actor": "bob",
        "source": "tasks.service",
        "occurredAt": "2026-11-22T09:07:00Z",
        "eventId": "event-7",
        "changes": [{"field": "title", "previous": "title 6", "current": "title 7"}],
    }


def test_history_of_a_task_without_activity_yet_is_empty(api):
    task = api.create()

    assert history(task["id"]) == (200, {"items": [], "nextToken": None})


def test_assignee_reads_the_history(api, activity):
    task = api.create(assignee="bob")
    record_change(activity, task["id"], 1)

    assert len(history(task["id"], user="bob")[1]["items"]) == 1


def test_history_of_another_users_task_is_404(api, activity):
    task = api.create()
    record_change(activity, task["id"], 1)

    status, body = history(task["id"], user="mallory")

    assert (status, body["code"]) == (404, "TASK_NOT_FOUND")


@pytest.mark.usefixtures("aws")  # were the default used, it would read moto's empty tables
def test_history_comes_from_the_activity_service_passed_to_handle():
    activity = RecordingActivity()

    status, body = _handled(activity, "get-task-history", task_id="task-9", query={"limit": "3"})

    assert (status, body["nextToken"]) == (200, "from-the-test")
    assert activity.calls == [("history", "alice", "task-9", 3)]


def test_history_of_a_missing_task_is_404(api):
    assert history("no-such-task")[0] == 404


def test_history_pages_follow_the_next_token_to_the_oldest_entry(api, activity):
    task = api.create()
    recorded = [record_change(activity, task["id"], number) for number in range(1, 6)]

    seen, token = [], None
    while True:
        query = {"limit": 2, **({"nextToken": token} if token else {})}
        body = history(task["id"], **query)[1]
        seen += [entry["eventId"] for entry in body["items"]]
        token = body["nextToken"]
        if token is None:
            break

    assert seen == list(reversed(recorded))


def test_a_history_token_is_refused_for_another_task(api, activity):
    first, second = api.create(), api.create()
    for number in (1, 2):
        record_change(activity, first["id"], number)
    token = history(first["id"], limit=1)[1]["nextToken"]

    status, body = history(second["id"], nextToken=token)

    assert (status, body["code"]) == (400, "INVALID_PAGE_TOKEN")


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"order": "asc"}])
def test_history_query_outside_the_schema_is_400(api, query):
    task = api.create()

    status, body = history(task["id"], **query)

    assert (status, body["code"]) == (400, "VALIDATION_FAILED")


def test_openapi_documents_stats_and_history(api):
    paths = api("openapi", user=None).body["paths"]

    assert {"/stats", "/tasks/{taskId}/history"} <= set(paths)
