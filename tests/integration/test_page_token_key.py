"""The API reads its page-token key from Secrets Manager once per container, and only when a request
first signs or checks a page token: a cold start that creates or reads one task never fetches it."""

import pytest

from tasks_api import dependencies


@pytest.fixture
def key_reads(monkeypatch):
    """The API's services rebuilt as in a new container, with every read of the key recorded."""
    reads = []
    read_key = dependencies._page_token_key
    monkeypatch.setattr(dependencies, "_page_token_key", lambda: reads.append("read") or read_key())
    cached = (dependencies._page_tokens, dependencies.default_service, dependencies.default_activity)
    for built in cached:
        built.cache_clear()
    yield reads
    for built in cached:
        built.cache_clear()  # the next test's container reads the real key again


def test_requests_that_page_nothing_never_read_the_key(api, key_reads):
    task = api.create(title="no paging here")
    assert api("get-task", task_id=task["id"]).status == 200
    assert key_reads == []


def test_the_first_request_that_checks_a_token_reads_the_key_once(api, key_reads):
    forged = api("list-tasks", query={"nextToken": "eyJrIjoxfQ.forged"})
    again = api("list-tasks", query={"nextToken": "eyJrIjoxfQ.forged"})
    assert (forged.status, again.status) == (400, 400)
    assert key_reads == ["read"]
