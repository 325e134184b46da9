"""The tasks API end to end: `make dev` on free ports, real HTTP, real JWTs from the local IdP."""

import pytest
import requests

from tests.support.polling import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def alice(stack):
    return stack.session("alice")


def _create(session, stack, **fields):
    response = session.post(f"{stack.api_url}/tasks", json={"title": "e2e task", **fields}, timeout=10)
    assert response.status_code == 201, response.text
    return response


def test_health_is_public(stack):
    response = requests.get(f"{stack.api_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_create_then_get_round_trips_the_task(stack, alice):
    created = _create(alice, stack, description="over HTTP", tags=["e2e"])
    task = created.json()
    assert created.headers["Location"] == f"/tasks/{task['id']}"
    fetched = alice.get(f"{stack.api_url}/tasks/{task['id']}", timeout=10)
    assert fetched.status_code == 200
    assert fetched.json() == task
    assert fetched.headers["ETag"] == created.headers["ETag"]


def _every_page(session, stack, **params):
    seen, token = [], None
    while True:
        page = session.get(
            f"{stack.api_url}/tasks", params={**params, **({"nextToken": token} if token else {})}, timeout=10
        )
        assert page.status_code == 200, page.text
        seen += [task["id"] for task in page.json()["items"]]
        token = page.json()["nextToken"]
        if not token:
            return seen


def test_list_filters_and_pages_through_every_task_within_two_seconds(stack):
    session = stack.session("paula")
    ids = [_create(session, stack, title=f"page {i}", priority="low").json()["id"] for i in range(5)]
    _create(session, stack, title="other priority", priority="medium")

    listed = eventually(
        lambda: (seen := _every_page(session, stack, priority="low", limit=2)) == ids[::-1] and seen
    )

    assert listed == ids[::-1]


def test_a_title_changed_directly_in_the_table_shows_in_the_list_within_two_seconds(stack):
    session = stack.session("tina")
    task = _create(session, stack, title="before").json()
    stack.client("dynamodb").update_item(
        TableName="local-tasks-tasks",
        Key={"id": {"S": task["id"]}},
        UpdateExpression="SET title = :title, version = version + :one",
        ExpressionAttributeValues={":title": {"S": "changed by a script"}, ":one": {"N": "1"}},
    )

    def listed_title():
        items = session.get(f"{stack.api_url}/tasks", timeout=10).json()["items"]
        return items and items[0]["title"] == "changed by a script"

    assert eventually(listed_title)


def test_update_with_fresh_if_match_then_stale_if_match(stack, alice):
    created = _create(alice, stack)
    url = f"{stack.api_url}/tasks/{created.json()['id']}"
    etag = created.headers["ETag"]
    fresh = alice.put(url, json={"status": "in_progress"}, headers={"If-Match": etag}, timeout=10)
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag
    stale = alice.put(url, json={"title": "lost update"}, headers={"If-Match": etag}, timeout=10)
    assert stale.status_code == 412
    assert alice.get(url, timeout=10).json()["title"] == "e2e task"


def test_delete_removes_the_task(stack, alice):
    url = f"{stack.api_url}/tasks/{_create(alice, stack).json()['id']}"
    assert alice.delete(url, timeout=10).status_code == 204
    assert alice.get(url, timeout=10).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Basic YWxpY2U6c2VjcmV0"],
)
def test_missing_or_malformed_token_is_401(stack, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{stack.api_url}/tasks", headers=headers, timeout=10)
    assert response.status_code == 401


def test_expired_token_is_401(stack):
    token = stack.token("alice", ttl_seconds=-60)
    response = requests.get(
        f"{stack.api_url}/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401


def test_another_users_task_is_404(stack, alice):
    task_id = _create(alice, stack).json()["id"]
    response = stack.session("mallory").get(f"{stack.api_url}/tasks/{task_id}", timeout=10)
    assert response.status_code == 404


def test_body_over_16_kib_is_413(stack, alice):
    response = alice.post(
        f"{stack.api_url}/tasks", json={"title": "big", "description": "x" * 17000}, timeout=10
    )
    assert response.status_code == 413


def test_non_json_body_is_415(stack, alice):
    response = alice.post(
        f"{stack.api_url}/tasks", data="title=hi", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert response.status_code == 415
