"""The API's side of the approval workflow against moto (docs/approval-workflow.md): decisions, the
approvers' queue and withdrawals, every 403 and 409 of issue 8, and the token kept out of every
response and log line. The workflow is a fake here (what the API told it is recorded); its token is
planted on the item as the workflow's first state stores it. test_approval_workflow runs the real ASL.
"""

import logging
import os
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tasks_api import logger
from tasks_api.config import Settings
from tasks_shared.adapters.dynamodb.items import from_item, to_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.memory import RecordingApprovals
from tasks_shared.config import from_env
from tasks_shared.domain.approval import TaskToken
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.ports import Withdrawal
from tasks_shared.usecases.tasks import TaskService
from tests.conftest import create_resources
from tests.integration.conftest import ApiCaller, ApiResponse

APPROVER = {"user": "carol", "groups": ("approvers",)}


@dataclass
class Approvals:
    """The API with a recording workflow, and the tasks table as the workflow sees it."""

    api: ApiCaller
    workflow: RecordingApprovals
    responses: list[ApiResponse]

    def __call__(self, name: str, **overrides: Any) -> ApiResponse:
        response = self.api(name, **overrides)
        self.responses.append(response)
        return response

    def item(self, task_id: str) -> dict[str, Any]:
        found = boto3.client("dynamodb").get_item(
            TableName=os.environ["TASKS_TABLE"], Key=to_item({"id": task_id}), ConsistentRead=True
        )
        return from_item(found.get("Item", {}))

    def awaiting(self, user: str = "alice", stored: bool = True, **fields: Any) -> tuple[dict[str, Any], str]:
        """A task awaiting approval, and the token its workflow stored (unless `stored` is False)."""
        response = self(
            "create-task", user=user, body={"title": "Rotate the keys", "priority": "high", **fields}
        )
        assert response.status == 201, response.body
        task, token = response.body, f"AAAAKtoken-of-{response.body['id']}"
        if stored:
            boto3.client("dynamodb").update_item(
                TableName=os.environ["TASKS_TABLE"],
                Key=to_item({"id": task["id"]}),
                UpdateExpression="SET approvalToken = :token",
                ExpressionAttributeValues=to_item({":token": token}),
            )
        return task, token

    def decide(
        self, task_id: str, decision: str = "approve", user: str = "carol", **overrides: Any
    ) -> ApiResponse:
        body = {"decision": decision, **overrides.pop("extra", {})}
        overrides.setdefault("groups", ("approvers",))
        return self("decide-approval", user=user, task_id=task_id, body=body, **overrides)

    def update(self, task_id: str, body: dict[str, Any], user: str = "alice") -> ApiResponse:
        return self("update-task", user=user, task_id=task_id, body=body, headers={"If-Match": "*"})


@pytest.fixture
def approvals(api) -> Approvals:
    config = from_env(Settings)
    workflow = RecordingApprovals()
    repository = DynamoDBTaskRepository(boto3.client("dynamodb"), config.tasks_table, config.views_table)
    api.service = TaskService(repository, PageTokens(b"a page-token key of this test"), workflow)
    return Approvals(api, workflow, [])


# --- a decision ---------------------------------------------------------------------------------


def test_an_approvers_decision_is_accepted_and_claimed_on_the_task(approvals):
    task, _ = approvals.awaiting()
    response = approvals.decide(task["id"], "approve", extra={"comment": "go ahead"})
    assert response.status == 202
    assert response.body == {"taskId": task["id"], "decision": "approve", "status": "accepted"}
    assert response.headers["location"] == f"/tasks/{task['id']}"
    item = approvals.item(task["id"])
    assert item["approvalDecision"]["decision"] == "approve"
    assert (item["approvalDecision"]["decidedBy"], item["approvalDecision"]["comment"]) == (
        "carol",
        "go ahead",
    )
    assert "approvalToken" not in item
    assert (item["version"], item["approval"]["status"]) == (1, "awaiting")  # the workflow records it


@pytest.mark.parametrize(("decision", "kind"), [("approve", "approve"), ("reject", "reject")])
def test_a_decision_answers_the_workflow_with_the_stored_token(approvals, decision, kind):
    task, token = approvals.awaiting()
    approvals.decide(task["id"], decision)
    assert approvals.workflow.sent == [(kind, TaskToken(token), None)]


def test_a_decision_without_a_comment_claims_an_empty_one(approvals):
    task, _ = approvals.awaiting()
    approvals.decide(task["id"], "reject")
    assert approvals.item(task["id"])["approvalDecision"]["comment"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "approve", "comment": "x" * 1001}, "comment"),
        ({"decision": "approve", "comment": "hidden\u202etext"}, "comment"),
        ({"decision": "approve", "comment": 7}, "comment"),
        ({"decision": "approve", "decidedBy": "carol"}, "decidedBy"),
    ],
)
def test_a_decision_body_outside_the_contract_is_400_naming_the_field(approvals, body, field):
    task, _ = approvals.awaiting()
    response = approvals("decide-approval", task_id=task["id"], body=body, **APPROVER)
    assert response.status == 400
    assert field in [detail["field"] for detail in response.body["details"]]


# --- who may decide: 403 and 404 -----------------------------------------------------------------


def test_a_user_who_is_no_approver_may_not_decide_even_as_the_assignee(approvals):
    task, _ = approvals.awaiting(assignee="bob")
    response = approvals.decide(task["id"], user="bob", groups=())
    assert (response.status, response.body["code"]) == (403, "FORBIDDEN")
    assert "approvalToken" in approvals.item(task["id"])


def test_an_admin_who_is_no_approver_may_not_decide(approvals):
    task, _ = approvals.awaiting()
    assert approvals.decide(task["id"], user="root", groups=("admins",)).status == 403


def test_the_owner_may_not_decide_even_as_an_approver(approvals):
    task, _ = approvals.awaiting(user="carol")
    response = approvals.decide(task["id"], user="carol")
    assert (response.status, response.body["code"]) == (403, "FORBIDDEN")
    assert approvals.workflow.sent == []


def test_a_stranger_cannot_tell_the_task_exists(approvals):
    task, _ = approvals.awaiting()
    assert approvals.decide(task["id"], user="mallory", groups=()).status == 404


# --- when a decision comes too late: 409 --------------------------------------------------------


def test_an_approver_hears_404_on_both_routes_about_a_task_that_never_needed_approval(approvals):
    """No oracle: what an approver may read and what the decision route tells them agree."""
    task = approvals("create-task", body={"title": "small"}).body
    assert approvals("get-task", task_id=task["id"], **APPROVER).status == 404
    response = approvals.decide(task["id"])
    assert (response.status, response.body["code"]) == (404, "TASK_NOT_FOUND")


def test_an_approver_reads_a_task_with_an_approval_record_and_hears_409_about_deciding_it(approvals):
    task, _ = approvals.awaiting()
    approvals.update(task["id"], {"priority": "low"})  # withdrawn: a record, but nothing to decide
    read = approvals("get-task", task_id=task["id"], **APPROVER)
    assert (read.status, read.body["approval"]["status"]) == (200, "withdrawn")
    response = approvals.decide(task["id"], headers={"If-Match": read.headers["etag"]})
    assert (response.status, response.body["code"]) == (409, "NOT_AWAITING_APPROVAL")
    assert "withdrawn" in response.body["message"]


# --- a decision names the version it decides: 428, 412 ------------------------------------------


@pytest.mark.parametrize("if_match", [None, "*"], ids=["missing", "any"])
def test_a_decision_without_a_version_is_428_and_claims_nothing(approvals, if_match):
    task, _ = approvals.awaiting()
    response = approvals.decide(task["id"], headers={"If-Match": if_match})
    assert (response.status, response.body["code"]) == (428, "PRECONDITION_REQUIRED")
    assert "approvalToken" in approvals.item(task["id"])
    assert approvals.workflow.sent == []


def test_a_decision_on_a_version_changed_since_it_was_read_is_412_and_claims_nothing(approvals):
    task, token = approvals.awaiting()
    read = approvals("get-task", task_id=task["id"], **APPROVER)
    approvals.update(task["id"], {"title": "Drop the production database"})  # dismissed, asked again
    response = approvals.decide(task["id"], headers={"If-Match": read.headers["etag"]})
    assert (response.status, response.body["code"]) == (412, "PRECONDITION_FAILED")
    assert "approvalDecision" not in approvals.item(task["id"])
    assert approvals.workflow.sent == [("withdraw", TaskToken(token), Withdrawal.TASK_CHANGED)]


def test_a_decision_on_the_version_read_from_the_approvers_queue_is_accepted(approvals, indexer):
    task, _ = approvals.awaiting()
    indexer.catch_up()
    item = approvals("list-approvals", query={}, **APPROVER).body["items"][0]
    response = approvals.decide(task["id"], headers={"If-Match": f'"{item["version"]}"'})
    assert response.status == 202


def test_an_approver_who_is_the_assignee_may_not_decide(approvals):
    task, _ = approvals.awaiting(assignee="carol")
    response = approvals.decide(task["id"])
    assert (response.status, response.body["code"]) == (403, "FORBIDDEN")
    assert response.body["message"] == "the assignee of a task may not decide on its approval request"
    assert "approvalToken" in approvals.item(task["id"])


def test_a_delete_after_a_decision_was_claimed_is_409_approval_request_changed(approvals):
    task, _ = approvals.awaiting()
    approvals.decide(task["id"])
    response = approvals("delete-task", task_id=task["id"])
    assert (response.status, response.body["code"]) == (409, "APPROVAL_REQUEST_CHANGED")
    assert approvals.item(task["id"])["approvalDecision"]["decidedBy"] == "carol"


def test_a_decision_body_naming_decision_twice_is_400_and_decides_nothing(approvals):
    task, _ = approvals.awaiting()
    raw = '{"decision": "reject", "decision": "approve"}'
    response = approvals("decide-approval", task_id=task["id"], raw_body=raw, **APPROVER)
    assert (response.status, response.body["code"]) == (400, "MALFORMED_JSON")
    assert response.body["details"] == [{"field": "decision", "issue": "duplicate key"}]
    assert approvals.workflow.sent == []


@pytest.mark.parametrize(
    ("route", "task"), [("create-task", False), ("update-task", True), ("decide-approval", True)]
)
def test_every_route_that_reads_a_body_refuses_a_duplicate_key(approvals, route, task):
    awaiting, _ = approvals.awaiting()
    target = {"task_id": awaiting["id"]} if task else {}
    response = approvals(route, raw_body='{"title": "a", "title": "b"}', **target, **APPROVER)
    assert (response.status, response.body["details"]) == (
        400,
        [{"field": "title", "issue": "duplicate key"}],
    )


def test_the_second_of_two_decisions_is_409_and_the_first_stands(approvals):
    task, _ = approvals.awaiting()
    assert approvals.decide(task["id"], "approve").status == 202
    second = approvals.decide(task["id"], "reject", user="dave")
    assert (second.status, second.body["code"]) == (409, "NOT_AWAITING_APPROVAL")
    assert approvals.item(task["id"])["approvalDecision"]["decidedBy"] == "carol"
    assert [kind for kind, _, _ in approvals.workflow.sent] == ["approve"]


def test_a_decision_before_the_workflow_stored_its_token_is_409(approvals):
    task, _ = approvals.awaiting(stored=False)
    response = approvals.decide(task["id"])
    assert response.status == 409
    assert "try again in a moment" in response.body["message"]


def test_a_decision_whose_request_had_ended_is_409_and_closes_it_as_a_timeout(approvals):
    task, token = approvals.awaiting()
    approvals.workflow.ended.add(TaskToken(token))
    response = approvals.decide(task["id"])
    assert (response.status, response.body["code"]) == (409, "APPROVAL_REQUEST_ENDED")
    item = approvals.item(task["id"])
    assert (item["approval"]["status"], item["status"], item["version"]) == ("expired", "cancelled", 2)
    assert (item["updatedBy"], item["correlationId"]) == ("approval-workflow", "sample-decide-approval")
    assert not {"approvalDecision", "approvalToken"} & item.keys()


@pytest.fixture
def executing_aws():
    """moto with Step Functions executions switched on: it refuses a token no execution waits on."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield create_resources()


def test_a_decision_step_functions_refuses_as_ended_is_409_through_the_real_adapter(executing_aws):
    api = ApiCaller()  # the function's own services: DynamoDB and Step Functions on moto
    approvals = Approvals(api, RecordingApprovals(), [])
    task, _ = approvals.awaiting()  # a token no execution issued: as one whose execution ended
    response = approvals.decide(task["id"])
    assert (response.status, response.body["code"]) == (409, "APPROVAL_REQUEST_ENDED")
    assert approvals.item(task["id"])["approval"]["status"] == "expired"


# --- the task while it awaits ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["in_progress", "completed"])
def test_a_task_awaiting_approval_cannot_start_or_complete(approvals, status):
    task, _ = approvals.awaiting()
    response = approvals.update(task["id"], {"status": status})
    assert (response.status, response.body["code"]) == (409, "INVALID_TRANSITION")


def test_an_in_progress_task_raised_to_high_awaits_approval_and_cannot_complete(approvals):
    task = approvals("create-task", body={"title": "t"}).body
    approvals.update(task["id"], {"status": "in_progress"})
    raised = approvals.update(task["id"], {"priority": "high"})
    assert raised.body["approval"]["status"] == "awaiting"
    assert approvals.update(task["id"], {"status": "completed"}).status == 409


# --- withdrawals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [{"priority": "medium"}, {"status": "cancelled"}])
def test_lowering_or_cancelling_withdraws_the_request_and_ends_the_wait(approvals, change):
    task, token = approvals.awaiting()
    response = approvals.update(task["id"], change)
    assert response.status == 200
    approval = response.body["approval"]
    assert (approval["status"], approval["decidedBy"]) == ("withdrawn", "alice")
    assert "approvalToken" not in approvals.item(task["id"])
    assert approvals.workflow.sent == [("withdraw", TaskToken(token), Withdrawal.WITHDRAWN)]


def test_a_withdrawal_before_the_token_was_stored_leaves_the_workflow_nothing_to_wait_for(approvals):
    task, _ = approvals.awaiting(stored=False)
    assert approvals.update(task["id"], {"priority": "low"}).body["approval"]["status"] == "withdrawn"
    assert approvals.workflow.sent == []


def test_a_withdrawal_after_a_decision_was_claimed_is_409(approvals):
    task, _ = approvals.awaiting()
    approvals.decide(task["id"])
    response = approvals.update(task["id"], {"priority": "low"})
    assert (response.status, response.body["code"]) == (409, "APPROVAL_REQUEST_CHANGED")


def test_a_high_task_whose_request_was_withdrawn_asks_again_when_raised_again(approvals):
    task, _ = approvals.awaiting()
    approvals.update(task["id"], {"priority": "low"})
    raised = approvals.update(task["id"], {"priority": "high"})
    assert raised.body["approval"]["status"] == "awaiting"


def test_deleting_a_task_awaiting_approval_ends_the_wait(approvals):
    task, token = approvals.awaiting()
    assert approvals("delete-task", task_id=task["id"]).status == 204
    assert approvals.item(task["id"]) == {}
    assert approvals.workflow.sent == [("withdraw", TaskToken(token), Withdrawal.TASK_DELETED)]


# --- the approvers' queue ------------------------------------------------------------------------


def test_only_approvers_may_list_what_awaits_approval(approvals):
    response = approvals("list-approvals", user="bob", query={})
    assert (response.status, response.body["code"]) == (403, "FORBIDDEN")


def test_the_queue_lists_the_oldest_request_first_page_by_page(approvals, indexer):
    first, _ = approvals.awaiting(user="alice")
    later = approvals("create-task", user="bob", body={"title": "raised later"}).body
    second, _ = approvals.awaiting(user="dave")
    approvals.update(later["id"], {"priority": "high"}, user="bob")
    approvals("create-task", body={"title": "not awaiting"})
    indexer.catch_up()
    page = approvals("list-approvals", query={"limit": "2"}, **APPROVER)
    assert page.status == 200
    rest = approvals("list-approvals", query={"limit": "2", "nextToken": page.body["nextToken"]}, **APPROVER)
    ids = [task["id"] for task in page.body["items"] + rest.body["items"]]
    assert ids == [first["id"], second["id"], later["id"]]
    assert rest.body["nextToken"] is None


def test_a_tampered_queue_token_is_400(approvals, indexer):
    approvals.awaiting()
    approvals.awaiting()
    indexer.catch_up()
    token = approvals("list-approvals", query={"limit": "1"}, **APPROVER).body["nextToken"]
    tampered = approvals("list-approvals", query={"limit": "1", "nextToken": token[:-2] + "xx"}, **APPROVER)
    assert tampered.status == 400


def test_a_task_leaves_the_queue_once_withdrawn(approvals, indexer):
    task, _ = approvals.awaiting()
    approvals.update(task["id"], {"priority": "low"})
    indexer.catch_up()
    assert approvals("list-approvals", query={}, **APPROVER).body["items"] == []


# --- groups, read from the token ------------------------------------------------------------------


def test_a_group_named_support_admins_does_not_make_an_admin(approvals):
    theirs = approvals("create-task", user="bob", body={"title": "bob's"}).body
    assert approvals("get-task", user="eve", groups=("support admins",), task_id=theirs["id"]).status == 404
    listing = approvals("list-tasks", user="eve", groups=("support admins",), query={"owner": "bob"})
    assert listing.status == 403


def test_a_group_named_foo_approvers_does_not_make_an_approver(approvals):
    task, _ = approvals.awaiting()
    assert approvals("list-approvals", user="eve", groups=("foo approvers",), query={}).status == 403
    assert approvals.decide(task["id"], user="eve", groups=("foo approvers",)).status == 404


# --- the token is a credential --------------------------------------------------------------------


def test_no_response_or_log_line_of_an_approval_run_carries_a_token(approvals, indexer, caplog, capsys):
    caplog.set_level(logging.INFO)
    tokens = []
    for step in ("approve", "ended", "lower", "cancel", "delete", "second"):
        task, token = approvals.awaiting()
        tokens.append(token)
        approvals("get-task", task_id=task["id"])
        approvals("get-task", task_id=task["id"], **APPROVER)
        if step == "ended":
            approvals.workflow.ended.add(TaskToken(token))
        if step in ("approve", "ended", "second"):
            approvals.decide(task["id"], extra={"comment": "fine"})
        if step == "second":
            approvals.decide(task["id"], "reject", user="dave")
        if step in ("lower", "cancel"):
            approvals.update(task["id"], {"priority": "low"} if step == "lower" else {"status": "cancelled"})
        if step == "delete":
            approvals("delete-task", task_id=task["id"])
        indexer.catch_up()
        approvals("list-approvals", query={}, **APPROVER)
        approvals("list-tasks", query={})
    captured = capsys.readouterr()
    # Each record as the function writes it (its Powertools JSON line), and every attribute it holds.
    logged = [f"{logger.registered_formatter.format(record)} {vars(record)}" for record in caplog.records]
    shown = [f"{response.status} {response.headers} {response.body}" for response in approvals.responses]
    assert len(approvals.workflow.sent) == 5  # approve, lower, cancel, delete, second; `ended` was refused
    assert [line for line in logged if "approval decision accepted" in line]  # the logs were captured
    for token in tokens:
        assert not [text for text in shown + logged + [captured.out, captured.err] if token in text]
