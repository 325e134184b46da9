"""The approval ASL executed by moto's Step Functions interpreter (execution switched on), against the
tasks table: every path of docs/approval-workflow.md. Decisions are made as the API makes them (the
claim on the item, then SendTask*), so these tests hold the protocol both sides rely on."""

import io
import json
import os
import threading
import uuid
from dataclasses import replace

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.exceptions import DynamodbException
from moto.dynamodb.models import DynamoDBBackend

from tasks_local.runtime.bus import provision_events
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.workflow import ExecutionStarter, execution_name, execution_names, provision_workflow
from tasks_shared.adapters.dynamodb.items import from_item, to_item
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.domain.approval import Approval
from tasks_shared.domain.model import Task, utcnow
from tasks_shared.tables import create_table_request, definitions
from tests.support.polling import eventually

DECISION_DEADLINE = 5.0
TIMEOUT_SECONDS = 30  # long enough for any decision here; the timeout test makes its own machine


class Machine:
    """One state machine on moto, its table, and the steps an approver and the API take."""

    def __init__(self, timeout_seconds: int = TIMEOUT_SECONDS) -> None:
        self.ddb = boto3.client("dynamodb")
        self.sfn = boto3.client("stepfunctions")
        self.table = os.environ["TASKS_TABLE"]
        self.tasks = DynamoDBTaskRepository(self.ddb, self.table)
        self.workflow = provision_workflow(
            f"wf{uuid.uuid4().hex[:6]}",
            self.table,
            "https://web.example/app/",
            timeout_seconds=timeout_seconds,
        )
        self.started: list[str] = []

    def high_task(self, owner: str = "alice") -> Task:
        task = Task.new(str(uuid.uuid4()), owner, {"title": "rotate keys", "priority": "high"}, utcnow())
        self.tasks.create(task)
        return task

    def start(self, task: Task, event_id: str | None = None) -> str:
        event = {
            "source": "tasks.service",
            "detail-type": "TaskCreated",
            "detail": {"metadata": {"eventId": event_id or str(uuid.uuid4())}, "task": task.to_dict()},
        }
        (paths,) = execution_names()[:1]
        arn = self.sfn.start_execution(
            stateMachineArn=self.workflow.state_machine_arn,
            name=execution_name(event, paths),
            input=json.dumps(event),
        )["executionArn"]
        self.started.append(arn)
        return arn

    def item(self, task_id: str) -> dict:
        found = self.ddb.get_item(TableName=self.table, Key=to_item({"id": task_id}), ConsistentRead=True)
        return from_item(found["Item"]) if "Item" in found else {}

    def token(self, task_id: str) -> str:
        token = eventually(lambda: self.item(task_id).get("approvalToken"), DECISION_DEADLINE)
        assert token, "the workflow never stored its token"
        return token

    def claim(self, task_id: str, token: str, decision: str, by: str, comment: str = "") -> None:
        """The API's claim: one conditional write, so only one decision wins."""
        self.ddb.update_item(
            TableName=self.table,
            Key=to_item({"id": task_id}),
            UpdateExpression="SET approvalDecision = :d REMOVE approvalToken",
            ConditionExpression="approvalToken = :token AND approval.#status = :awaiting",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_item(
                {
                    ":d": {"decision": decision, "decidedBy": by, "decidedAt": utcnow(), "comment": comment},
                    ":token": token,
                    ":awaiting": "awaiting",
                }
            ),
        )

    def decide(self, task_id: str, decision: str, by: str = "bob", comment: str = "") -> None:
        token = self.token(task_id)
        self.claim(task_id, token, decision, by, comment)
        if decision == "approve":
            self.sfn.send_task_success(taskToken=token, output=json.dumps({"decision": "approve"}))
        else:
            self.sfn.send_task_failure(taskToken=token, error="Rejected", cause=comment)

    def finished(self, arn: str) -> dict:
        described = eventually(
            lambda: (d := self.sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d,
            DECISION_DEADLINE,
        )
        assert described, "the execution is still running"
        return described

    def end_state(self, arn: str) -> str:
        """The name of the last state the execution entered."""
        events = self.sfn.get_execution_history(executionArn=arn)["events"]
        entered = [e for e in events if "stateEnteredEventDetails" in e]
        return max(entered, key=lambda e: e["id"])["stateEnteredEventDetails"]["name"]

    def release_waits(self) -> None:
        """No wait may outlive the test: moto runs it in a thread beyond mock_aws."""
        for arn in self.started:
            if self.sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                for item in self.ddb.scan(TableName=self.table)["Items"]:
                    if "approvalToken" in item:
                        self.sfn.send_task_failure(taskToken=item["approvalToken"]["S"], error="TaskDeleted")


@pytest.fixture
def machine():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("dynamodb")
        for key, definition in definitions().items():
            client.create_table(**create_table_request(key, os.environ[definition["env"]]))
        machine = Machine()
        yield machine
        machine.release_waits()


def test_a_started_request_stores_its_token_and_notifies_approvers_without_it(machine):
    sqs = boto3.client("sqs")
    inbox = sqs.create_queue(QueueName="approver-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(TopicArn=machine.workflow.topic_arn, Protocol="sqs", Endpoint=inbox_arn)
    task = machine.high_task()
    machine.start(task)
    token = machine.token(task.id)
    messages = eventually(lambda: sqs.receive_message(QueueUrl=inbox).get("Messages"), DECISION_DEADLINE)
    notification = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert notification == {
        "taskId": task.id,
        "title": "rotate keys",
        "ownerId": "alice",
        "approvalUrl": f"https://web.example/app/#/tasks/{task.id}",  # the web app's request page
    }
    assert token not in messages[0]["Body"]
    assert machine.item(task.id)["version"] == 1  # the token is internal: the task's ETag stays valid


def test_approve_records_who_when_and_the_comment(machine):
    task = machine.high_task()
    arn = machine.start(task)
    machine.decide(task.id, "approve", by="bob", comment="go ahead")
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    item = machine.item(task.id)
    assert item["approval"]["status"] == "approved"
    assert item["approval"]["decidedBy"] == "bob"
    assert item["approval"]["comment"] == "go ahead"
    assert item["status"] == "pending"
    assert item["version"] == 2
    assert item["updatedBy"] == "bob"
    assert item["updatedAt"] == item["approval"]["decidedAt"]
    assert "approvalToken" not in item
    assert "approvalDecision" not in item


def test_reject_keeps_its_comment_and_cancels_the_task(machine):
    task = machine.high_task()
    arn = machine.start(task)
    machine.decide(task.id, "reject", by="bob", comment="not this quarter")
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    item = machine.item(task.id)
    assert item["approval"]["status"] == "rejected"
    assert item["approval"]["comment"] == "not this quarter"
    assert item["status"] == "cancelled"
    assert item["version"] == 2
    assert "approvalToken" not in item
    assert "approvalDecision" not in item


def test_no_decision_before_the_timeout_expires_the_request_and_cancels_the_task(machine):
    short = Machine(timeout_seconds=1)
    task = short.high_task()
    arn = short.start(task)
    short.token(task.id)
    assert short.finished(arn)["status"] == "SUCCEEDED"
    assert short.end_state(arn) == "RecordExpired"
    item = short.item(task.id)
    assert (item["approval"]["status"], item["status"], item["version"]) == ("expired", "cancelled", 2)
    assert item["updatedBy"] == "approval-workflow"
    assert "approvalToken" not in item


def test_a_decision_after_the_timeout_is_refused(machine):
    short = Machine(timeout_seconds=1)
    task = short.high_task()
    arn = short.start(task)
    token = short.token(task.id)
    short.finished(arn)
    # The claim finds no token any more: the decision can never be recorded over the expiry.
    with pytest.raises(boto3.client("dynamodb").exceptions.ConditionalCheckFailedException):
        short.claim(task.id, token, "approve", "bob")
    # And Step Functions refuses the token itself: AWS says TaskTimedOut, moto InvalidToken.
    with pytest.raises(ClientError) as refused:
        short.sfn.send_task_success(taskToken=token, output="{}")
    assert refused.value.response["Error"]["Code"] in {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


def test_a_second_start_for_the_same_request_ends_without_a_second_wait(machine):
    task = machine.high_task()
    first = machine.start(task)
    token = machine.token(task.id)
    second = machine.start(task)  # another name: a replay, say
    assert machine.finished(second)["status"] == "SUCCEEDED"
    assert machine.end_state(second) == "RequestEndedElsewhere"
    assert machine.item(task.id)["approvalToken"] == token
    assert machine.sfn.describe_execution(executionArn=first)["status"] == "RUNNING"


def test_a_redelivered_event_cannot_start_a_second_execution(machine):
    task = machine.high_task()
    event_id = str(uuid.uuid4())
    first = machine.start(task, event_id)
    # Step Functions: the same name and input while running is the same execution (once it has
    # ended, ExecutionAlreadyExists, which the starter takes as done).
    assert machine.start(task, event_id) == first
    executions = machine.sfn.list_executions(stateMachineArn=machine.workflow.state_machine_arn)["executions"]
    assert [execution["executionArn"] for execution in executions] == [first]


def test_two_racing_decisions_record_one(machine):
    task = machine.high_task()
    arn = machine.start(task)
    token = machine.token(task.id)
    machine.claim(task.id, token, "approve", "bob")
    with pytest.raises(machine.ddb.exceptions.ConditionalCheckFailedException):
        machine.claim(task.id, token, "reject", "carol")
    machine.sfn.send_task_success(taskToken=token, output="{}")
    machine.finished(arn)
    assert machine.item(task.id)["approval"]["decidedBy"] == "bob"


def test_deleting_an_awaiting_task_ends_its_execution_and_leaves_nothing(machine):
    task = machine.high_task()
    arn = machine.start(task)
    token = machine.token(task.id)
    machine.ddb.delete_item(TableName=machine.table, Key=to_item({"id": task.id}))
    machine.sfn.send_task_failure(taskToken=token, error="TaskDeleted")
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    assert machine.end_state(arn) == "Withdrawn"
    assert machine.item(task.id) == {}


def test_a_request_withdrawn_before_its_token_was_stored_ends_without_waiting(machine):
    task = machine.high_task()
    machine.ddb.update_item(  # as the API's withdraw writes it (lowered, or cancelled)
        TableName=machine.table,
        Key=to_item({"id": task.id}),
        UpdateExpression="SET approval.#status = :withdrawn",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues=to_item({":withdrawn": "withdrawn"}),
    )
    arn = machine.start(task)
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    assert machine.end_state(arn) == "RequestEndedElsewhere"
    assert "approvalToken" not in machine.item(task.id)


def _records_a_decision(update_item_kwargs) -> bool:
    """Whether moto's UpdateItem is the workflow's RecordApproved/RecordRejected write."""
    return "approvalDecision.decidedBy" in (update_item_kwargs.get("update_expression") or "")


def test_a_transient_dynamodb_failure_is_retried(machine, monkeypatch):
    original = DynamoDBBackend.update_item
    failures = []

    def throttled_once(self, *args, **kwargs):
        if _records_a_decision(kwargs) and not failures:
            failures.append(kwargs["update_expression"])
            raise DynamodbException("ProvisionedThroughputExceededException", "slow down")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", throttled_once)
    task = machine.high_task()
    arn = machine.start(task)
    machine.decide(task.id, "approve")
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    assert failures, "the throttling was never injected"
    assert machine.item(task.id)["approval"]["status"] == "approved"
    history = machine.sfn.get_execution_history(executionArn=arn)["events"]
    failed = [e for e in history if e["type"] == "TaskFailed"]
    assert failed
    assert "ProvisionedThroughputExceeded" in failed[0]["taskFailedEventDetails"]["error"]


def test_a_failure_past_the_retries_releases_the_request(machine, monkeypatch):
    original = DynamoDBBackend.update_item

    def broken_record(self, *args, **kwargs):
        if _records_a_decision(kwargs):
            raise DynamodbException("ValidationException", "a bug in the record state")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", broken_record)
    task = machine.high_task()
    arn = machine.start(task)
    machine.decide(task.id, "approve")
    assert machine.finished(arn)["status"] == "SUCCEEDED"
    assert machine.end_state(arn) == "ReleaseRequest"
    item = machine.item(task.id)
    assert item["approval"]["status"] == "withdrawn"
    assert item["approval"]["comment"].startswith("The approval workflow failed (DynamoDb.")
    assert item["updatedBy"] == "approval-workflow"
    assert item["version"] == 2


def test_the_bus_rule_starts_one_execution_per_event_named_after_the_task_and_the_event(machine):
    """moto's rule matching → the approval-requests queue → the local starter → StartExecution."""
    resources = provision_events("wfbus", os.environ["AWS_REGION"], load_all())
    starter = ExecutionStarter(
        resources.queues["approval-requests"], machine.workflow, threading.Event(), io.StringIO()
    )
    starter.wait_seconds = 0
    task = machine.high_task()
    event_id = str(uuid.uuid4())
    detail = {"metadata": {"eventId": event_id}, "task": task.to_dict()}
    entry = {
        "Source": "tasks.service",
        "DetailType": "TaskCreated",
        "Detail": json.dumps(detail),
        "EventBusName": resources.bus_name,
    }
    forged = {**entry, "Source": "someone.else"}  # the approval rules accept only our own source
    boto3.client("events").put_events(Entries=[entry, entry, forged])  # our event delivered twice
    assert starter.poll_once() == 2
    assert starter.poll_once() == 0
    executions = machine.sfn.list_executions(stateMachineArn=machine.workflow.state_machine_arn)["executions"]
    assert [execution["name"] for execution in executions] == [f"{task.id}-{event_id}"]
    machine.started += [execution["executionArn"] for execution in executions]
    assert machine.token(task.id)


def test_a_stale_execution_never_touches_a_newer_request_of_the_same_task(machine):
    """Withdrawn without its SendTaskFailure (the API stopped in between), then raised again: the old
    execution's timeout finds another request awaiting and leaves it alone."""
    stale = Machine(timeout_seconds=1)
    task = stale.high_task()
    old = stale.start(task)
    stale.token(task.id)
    raised_again = replace(task, approval=Approval.requested(utcnow()))
    machine.ddb.update_item(  # the withdrawal and the new request, as the API writes them
        TableName=machine.table,
        Key=to_item({"id": task.id}),
        UpdateExpression="SET approval = :approval REMOVE approvalToken",
        ExpressionAttributeValues=to_item({":approval": raised_again.approval.to_dict()}),
    )
    new = machine.start(raised_again)
    new_token = machine.token(task.id)
    assert stale.finished(old)["status"] == "SUCCEEDED"
    assert stale.end_state(old) == "RequestEndedElsewhere"
    item = machine.item(task.id)
    assert item["approval"]["status"] == "awaiting"
    assert item["approvalToken"] == new_token
    assert machine.sfn.describe_execution(executionArn=new)["status"] == "RUNNING"
