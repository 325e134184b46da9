"""What a new API container fetches and builds for its first requests: the page-token key only for a
request that signs or checks a page token, the Step Functions client only for a request that answers
the workflow. A cold start that creates or reads one task pays for neither."""

import os

import boto3
import pytest

from tasks_api import dependencies


class Uses:
    """Every read of the page-token key, and every use of the Step Functions client, recorded."""

    def __init__(self, monkeypatch) -> None:
        self.key_reads, self.workflow_calls = [], []
        read_key, stepfunctions = dependencies._page_token_key, dependencies._stepfunctions
        monkeypatch.setattr(dependencies, "_page_token_key", lambda: self.key_reads.append(1) or read_key())
        monkeypatch.setattr(
            dependencies, "_stepfunctions", lambda: self.workflow_calls.append(1) or stepfunctions()
        )


@pytest.fixture
def uses(monkeypatch):
    """The API's services rebuilt as in a new container, with what they use recorded."""
    cached = (dependencies._page_tokens, dependencies.default_service, dependencies.default_activity)
    for built in cached:
        built.cache_clear()
    yield Uses(monkeypatch)
    for built in cached:
        built.cache_clear()  # the next test's container uses the real ones again


def test_requests_that_page_nothing_read_no_key_and_build_no_workflow_client(api, uses):
    task = api.create(title="no paging here", priority="high")
    assert api("get-task", task_id=task["id"]).status == 200
    assert api("update-task", task_id=task["id"], body={"title": "renamed"}).status == 200
    assert api("list-tasks", query={}).status == 200  # one page: no token to sign
    assert (uses.key_reads, uses.workflow_calls) == ([], [])


def test_the_first_request_that_checks_a_token_reads_the_key_once(api, uses):
    forged = api("list-tasks", query={"nextToken": "eyJrIjoxfQ.forged"})
    again = api("list-tasks", query={"nextToken": "eyJrIjoxfQ.forged"})
    assert (forged.status, again.status) == (400, 400)
    assert uses.key_reads == [1]


def test_a_request_that_answers_the_workflow_uses_its_client(api, uses):
    task = api.create(title="awaiting", priority="high")
    boto3.client("dynamodb").update_item(  # the token, as the workflow's first state stores it
        TableName=os.environ["TASKS_TABLE"],
        Key={"id": {"S": task["id"]}},
        UpdateExpression="SET approvalToken = :token",
        ExpressionAttributeValues={":token": {"S": "a-token-of-no-execution"}},
    )
    assert api("delete-task", task_id=task["id"]).status == 204  # the withdrawal finds the request ended
    assert uses.workflow_calls == [1]
