"""GET /tasks against moto: scopes, filters, pages, and what each page reads.

Lists are projected from the tasks table's stream by the task-indexer, so each test lets the indexer
catch up (as it does within a moment in AWS and in `make dev`) before it lists."""

import boto3
import pytest

from tasks_api.config import Settings
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.memory import RecordingApprovals
from tasks_shared.config import from_env
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService


@pytest.fixture
def queries(api):
    """Every DynamoDB call the handler makes, with what it read (ScannedCount)."""
    calls = []
    client = boto3.client("dynamodb")
    client.meta.events.register(
        "after-call.dynamodb",
        lambda model, parsed, **_: calls.append((model.name, parsed.get("ScannedCount"))),
    )
    config = from_env(Settings)
    api.service = TaskService(
        DynamoDBTaskRepository(client, config.tasks_table, config.views_table),
        PageTokens(b"a page-token key of this test"),
        RecordingApprovals(),
    )
    return calls


def _ids(response):
    return [task["id"] for task in response.body["items"]]


def test_user_lists_own_and_assigned_tasks_newest_first(api, indexer):
    own = api.create(user="alice")
    assigned = api.create(user="bob", assignee="alice")
    api.create(user="bob")
    indexer.catch_up()
    response = api("list-tasks", query={})
    assert response.status == 200
    assert _ids(response) == [assigned["id"], own["id"]]
    assert response.body["nextToken"] is None


def test_admin_lists_every_task(api, indexer):
    created = [api.create(user=user)["id"] for user in ("alice", "bob", "carol")]
    indexer.catch_up()
    response = api("list-tasks", user="root", groups=("admins",), query={})
    assert _ids(response) == created[::-1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "completed"}, ["done"]),
        ({"priority": "low"}, ["low"]),
        ({"status": "pending", "priority": "low"}, ["low"]),
        ({"owner": "alice"}, ["low", "done"]),
        ({"assignee": "alice"}, ["theirs"]),
    ],
)
def test_filters_select_matching_tasks(api, indexer, query, expected):
    tasks = {
        "done": api.create(title="done"),
        "low": api.create(title="low", priority="low"),
        "theirs": api.create(user="bob", title="theirs", assignee="alice"),
    }
    api("update-task", task_id=tasks["done"]["id"], body={"status": "completed"}, headers={})
    indexer.catch_up()
    titles = [task["title"] for task in api("list-tasks", query=query).body["items"]]
    assert sorted(titles) == sorted(expected)


def test_pages_cover_every_task_once(api, indexer):
    created = [api.create(title=f"t{i}")["id"] for i in range(7)]
    seen, token = [], None
    indexer.catch_up()
    while True:
        query = {"limit": "3", **({"nextToken": token} if token else {})}
        response = api("list-tasks", query=query)
        assert response.status == 200
        seen += _ids(response)
        token = response.body["nextToken"]
        if token is None:
            break
    assert seen == created[::-1]


def test_tampered_page_token_is_400(api, indexer):
    for _ in range(3):
        api.create()
    indexer.catch_up()
    token = api("list-tasks", query={"limit": "1"}).body["nextToken"]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = api("list-tasks", query={"limit": "1", "nextToken": forged})
    assert response.status == 400
    assert response.body["code"] == "INVALID_PAGE_TOKEN"


def test_page_token_cannot_be_replayed_by_another_user_or_filter(api, indexer):
    for _ in range(3):
        api.create(user="root")
    indexer.catch_up()
    token = api("list-tasks", user="root", groups=("admins",), query={"limit": "1"}).body["nextToken"]
    assert api("list-tasks", user="mallory", query={"limit": "1", "nextToken": token}).status == 400
    other_filter = {"limit": "1", "status": "pending", "nextToken": token}
    assert api("list-tasks", user="root", groups=("admins",), query=other_filter).status == 400


def test_non_admin_may_not_list_another_owner_403(api):
    response = api("list-tasks", query={"owner": "bob"})
    assert response.status == 403


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"status": "done"}, {"sort": "asc"}],
)
def test_invalid_query_is_400(api, query):
    response = api("list-tasks", query=query)
    assert response.status == 400
    assert response.body["details"]


def test_owner_and_assignee_filters_cannot_be_combined(api):
    assert api("list-tasks", query={"owner": "alice", "assignee": "alice"}).status == 400


FILTERS = ({}, {"status": "pending"}, {"priority": "low"}, {"status": "pending", "priority": "low"})


def test_every_admin_list_is_one_query_reading_at_most_limit_plus_one_items(api, indexer, queries):
    for i in range(12):
        api.create(title=f"t{i}", priority="low" if i % 2 else "medium")
    indexer.catch_up()
    del queries[:]
    for query in FILTERS:
        api("list-tasks", user="root", groups=("admins",), query={"limit": "4", **query})
    assert [name for name, _ in queries] == ["Query"] * 4
    assert all(scanned <= 5 for _, scanned in queries)


def test_own_or_assigned_is_two_queries_reading_at_most_limit_plus_one_items_each(api, indexer, queries):
    for i in range(12):
        api.create(title=f"t{i}", priority="low" if i % 2 else "medium", assignee="alice" if i % 3 else "bob")
        api.create(user="bob", title=f"b{i}", assignee="alice")
    indexer.catch_up()
    del queries[:]
    for query in FILTERS:
        api("list-tasks", query={"limit": "4", **query})
    assert [name for name, _ in queries] == ["Query"] * 8
    assert all(scanned <= 5 for _, scanned in queries)


def test_own_or_assigned_pages_show_each_task_once_in_order_even_when_self_assigned(api, indexer):
    # Given tasks alice owns (some assigned to herself: in both of her scopes) and tasks bob assigned her
    expected = []
    for i in range(9):
        self_assigned = {"assignee": "alice"} if i % 2 else {}
        expected.append(api.create(title=f"own {i}", **self_assigned)["id"])
        expected.append(api.create(user="bob", title=f"assigned {i}", assignee="alice")["id"])
        api.create(user="bob", title=f"not hers {i}")
    indexer.catch_up()
    # When she pages through her list, 4 at a time
    seen, token = [], None
    while True:
        response = api("list-tasks", query={"limit": "4", **({"nextToken": token} if token else {})})
        assert response.status == 200, response.body
        seen += _ids(response)
        token = response.body["nextToken"]
        if token is None:
            break
    # Then every task of hers comes once, newest first, and no one else's
    assert seen == expected[::-1]
