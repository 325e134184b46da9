"""The DynamoDB repository's approval writes against moto, with the workflow's own writes interleaved
where the protocol says they may land (docs/approval-workflow.md): each write's condition holds."""

import os

import pytest

from tasks_shared.adapters.dynamodb.items import from_item, to_item
from tasks_shared.domain.approval import ClaimedDecision, Decision, TaskToken
from tasks_shared.domain.errors import NotAwaitingApproval, VersionConflict
from tasks_shared.domain.model import Task, utcnow

TOKEN = TaskToken("AAAAKstored-by-the-workflow")
CLAIM = ClaimedDecision(Decision.APPROVE, "carol", "2026-01-02T09:00:00.000000Z", "")


class Table:
    """The tasks table as the workflow writes it, beside the repository under test."""

    def __init__(self, client) -> None:
        self.client, self.name = client, os.environ["TASKS_TABLE"]

    def update(self, task_id: str, expression: str, values: dict) -> None:
        """`#s` is `status`, a reserved word."""
        names = {"ExpressionAttributeNames": {"#s": "status"}} if "#s" in expression else {}
        self.client.update_item(
            TableName=self.name,
            Key=to_item({"id": task_id}),
            UpdateExpression=expression,
            ExpressionAttributeValues=to_item(values),
            **names,
        )

    def store_token(self, task_id: str) -> None:
        self.update(task_id, "SET approvalToken = :token", {":token": TOKEN.secret})

    def item(self, task_id: str) -> dict:
        found = self.client.get_item(TableName=self.name, Key=to_item({"id": task_id}), ConsistentRead=True)
        return from_item(found.get("Item", {}))


@pytest.fixture
def table(aws) -> Table:
    return Table(aws)


@pytest.fixture
def awaiting(tasks) -> Task:
    task = Task.new("task-awaiting", "alice", {"title": "rotate keys", "priority": "high"}, utcnow())
    tasks.create(task)
    return task


def _lowered(task: Task) -> Task:
    return task.with_changes({"priority": "low"}, utcnow(), "alice")


def test_a_read_returns_the_token_beside_the_task_never_inside_it(tasks, table, awaiting):
    table.store_token(awaiting.id)
    stored = tasks.read(awaiting.id)
    assert (stored.task, stored.approval_token, stored.decision_claimed) == (awaiting, TOKEN, False)


def test_a_claim_takes_the_token_and_writes_the_decision_as_the_workflow_reads_it(tasks, table, awaiting):
    table.store_token(awaiting.id)
    tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    item = table.item(awaiting.id)
    assert item["approvalDecision"] == {
        "decision": "approve",
        "decidedBy": "carol",
        "decidedAt": "2026-01-02T09:00:00.000000Z",
        "comment": "",
    }
    assert ("approvalToken" in item, item["version"]) == (False, 1)
    assert tasks.read(awaiting.id).decision_claimed


def test_only_one_claim_wins(tasks, table, awaiting):
    table.store_token(awaiting.id)
    tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    with pytest.raises(NotAwaitingApproval):
        tasks.claim_decision(
            awaiting.id, TOKEN, ClaimedDecision(Decision.REJECT, "dave", utcnow()), awaiting.version
        )


def test_a_claim_needs_the_task_still_awaiting(tasks, table, awaiting):
    table.store_token(awaiting.id)
    table.update(awaiting.id, "SET approval.#s = :withdrawn", {":withdrawn": "withdrawn"})
    with pytest.raises(NotAwaitingApproval):
        tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)


def test_a_claim_needs_the_task_still_at_the_version_the_approver_read(tasks, table, awaiting):
    """A change between the approver's read and the claim (a new version) is never approved."""
    table.store_token(awaiting.id)
    table.update(awaiting.id, "SET version = version + :one", {":one": 1})
    with pytest.raises(NotAwaitingApproval):
        tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    assert table.item(awaiting.id)["approvalToken"] == TOKEN.secret


def test_a_withdrawal_removes_the_token_it_read(tasks, table, awaiting):
    table.store_token(awaiting.id)
    tasks.withdraw(tasks.read(awaiting.id), _lowered(awaiting))
    item = table.item(awaiting.id)
    assert (item["approval"]["status"], "approvalToken" in item) == ("withdrawn", False)


def test_a_withdrawal_fails_when_the_workflow_stored_its_token_after_the_read(tasks, table, awaiting):
    read = tasks.read(awaiting.id)
    table.store_token(awaiting.id)
    with pytest.raises(VersionConflict):
        tasks.withdraw(read, _lowered(awaiting))
    assert table.item(awaiting.id)["approvalToken"] == TOKEN.secret


def test_a_withdrawal_fails_when_an_approver_claimed_after_the_read(tasks, table, awaiting):
    table.store_token(awaiting.id)
    read = tasks.read(awaiting.id)
    tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    with pytest.raises(VersionConflict):
        tasks.withdraw(read, _lowered(awaiting))
    assert table.item(awaiting.id)["approval"]["status"] == "awaiting"


def test_a_delete_fails_when_the_workflow_stored_its_token_after_the_read(tasks, table, awaiting):
    read = tasks.read(awaiting.id)
    table.store_token(awaiting.id)
    with pytest.raises(VersionConflict):
        tasks.delete(read)
    tasks.delete(tasks.read(awaiting.id))
    assert table.item(awaiting.id) == {}


def test_an_ended_request_is_closed_as_its_timeout_closes_it(tasks, table, awaiting):
    table.store_token(awaiting.id)
    tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    tasks.expire_claimed(awaiting.id, CLAIM, "2026-01-02T09:00:01.000000Z", "req-1")
    item = table.item(awaiting.id)
    assert (item["approval"]["status"], item["status"], item["version"]) == ("expired", "cancelled", 2)
    assert (item["updatedAt"], item["updatedBy"], item["correlationId"]) == (
        "2026-01-02T09:00:01.000000Z",
        "approval-workflow",
        "req-1",
    )
    assert "approvalDecision" not in item


def test_closing_an_ended_request_changes_nothing_once_the_workflow_recorded_it(tasks, table, awaiting):
    table.store_token(awaiting.id)
    tasks.claim_decision(awaiting.id, TOKEN, CLAIM, awaiting.version)
    table.update(  # RecordApproved, in short
        awaiting.id,
        "SET approval.#s = :approved, version = version + :one REMOVE approvalDecision",
        {":approved": "approved", ":one": 1},
    )
    tasks.expire_claimed(awaiting.id, CLAIM, utcnow(), None)
    assert table.item(awaiting.id)["approval"]["status"] == "approved"
