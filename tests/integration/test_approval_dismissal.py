"""An approval holds only for what was approved (issue 14), on the whole path with moto's Step Functions
interpreter: the API's service writes the task, the publisher turns the table's stream into events, moto's
rules match them onto the approval queue, the local starter starts the ASL, and the task-updated consumer
writes the history. A change to the approved work ends the request it replaces and opens a new one
through the same bus rule as any other request."""

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from task_publisher import handler as publisher
from task_publisher.publisher import EventPublisher
from task_updated import handler as updated
from tasks_local.runtime.bus import EventResources, provision_events
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.pollers import QueuePoller, StreamPoller
from tasks_local.runtime.workflow import ExecutionStarter, Workflow, provision_workflow
from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.sqs import DeadLetters
from tasks_shared.adapters.stepfunctions import StepFunctionsApprovals
from tasks_shared.domain.approval import ApprovalStatus, Decision
from tasks_shared.domain.errors import PreconditionFailed
from tasks_shared.domain.model import Caller, Task
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService
from tests.conftest import create_resources
from tests.support.pipeline import InProcess, drain
from tests.support.polling import eventually

OWNER = Caller("alice", correlation_id="req-alice")
APPROVER = Caller("victor", frozenset({"approvers"}), correlation_id="req-victor")
DEADLINE = 5.0


@dataclass
class Platform:
    service: TaskService
    tasks: DynamoDBTaskRepository
    activity: DynamoDBActivity
    workflow: Workflow
    pollers: list
    sfn: object

    def settle(self) -> None:
        """Every committed change published, matched, started and recorded: the pipeline is quiet."""
        drain(self.pollers)

    def executions(self, task: Task) -> list[dict]:
        listed = self.sfn.list_executions(stateMachineArn=self.workflow.state_machine_arn)["executions"]
        return sorted((e for e in listed if e["name"].startswith(task.id)), key=lambda e: e["startDate"])

    def waiting(self, task: Task, count: int) -> list[dict]:
        """The task's executions once `count` exist and the newest has stored its token."""

        def ready() -> list[dict] | None:
            self.settle()
            found = self.executions(task)
            stored = self.tasks.read(task.id)
            return found if len(found) == count and stored and stored.approval_token else None

        found = eventually(ready, DEADLINE)
        assert found, f"no {count} executions with the newest one waiting"
        return found

    def finished(self, arn: str) -> dict:
        described = eventually(
            lambda: (d := self.sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d,
            DEADLINE,
        )
        assert described, "the execution is still running"
        return described

    def recorded(self, task: Task, status: ApprovalStatus) -> Task:
        found = eventually(lambda: (t := self.tasks.get(task.id)).approval.status is status and t, DEADLINE)
        assert found, f"the approval never became {status.value}"
        return found

    def history(self, task: Task) -> list[dict]:
        self.settle()
        return [entry.to_dict() for entry in self.activity.history(task.id, limit=50).items]


@pytest.fixture
def platform() -> Iterator[Platform]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        create_resources()
        resources: EventResources = provision_events("dismissal", os.environ["AWS_REGION"], load_all())
        tasks = DynamoDBTaskRepository(boto3.client("dynamodb"), os.environ["TASKS_TABLE"])
        workflow = provision_workflow("dismissal", os.environ["TASKS_TABLE"], "https://web.example/app/")
        sfn = boto3.client("stepfunctions")
        service = TaskService(tasks, PageTokens(b"0123456789abcdef"), StepFunctionsApprovals(lambda: sfn))
        activity = DynamoDBActivity(boto3.client("dynamodb"), os.environ["ACTIVITY_TABLE"])
        stop = threading.Event()
        events = EventPublisher(boto3.client("events"), resources.bus_name)
        stream = StreamPoller(
            InProcess("task-publisher", lambda event, context: publisher.handle(event, context, events)),
            {"batchSize": 100, "maximumRetryAttempts": 2, "startingPosition": "TRIM_HORIZON"},
            stop,
            os.environ["TASKS_TABLE"],
            None,
        )
        deps = updated.Dependencies(activity, _Silent(), DeadLetters(boto3.client("sqs")))
        history = QueuePoller(
            InProcess("task-updated", lambda event, context: updated.handle(event, context, deps)),
            {"batchSize": 10},
            stop,
            resources.queues["task-updated"].url,
            resources.queues["task-updated"].arn,
        )
        starter = ExecutionStarter(resources.queues["approval-requests"], workflow, stop, io.StringIO())
        starter.wait_seconds = 0
        platform = Platform(service, tasks, activity, workflow, [stream, starter, history], sfn)
        yield platform
        for execution in platform.sfn.list_executions(stateMachineArn=workflow.state_machine_arn)[
            "executions"
        ]:
            stored = tasks.read(execution["name"][:36])
            if execution["status"] == "RUNNING" and stored and stored.approval_token:  # no wait outlives moto
                sfn.send_task_failure(taskToken=stored.approval_token.secret, error="TaskDeleted")


class _Silent:
    """The assignee notifier: no assignee changes here."""

    def notify(self, task: Task) -> None:
        del task


def _end_state(sfn, arn: str) -> str:
    events = sfn.get_execution_history(executionArn=arn)["events"]
    entered = [e for e in events if "stateEnteredEventDetails" in e]
    return max(entered, key=lambda e: e["id"])["stateEnteredEventDetails"]["name"]


def _task_failures(sfn, arn: str) -> list[str]:
    """The errors the execution's tasks failed with (its wait: SendTaskFailure's), from its history."""
    events = sfn.get_execution_history(executionArn=arn)["events"]
    return [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]


def test_a_change_to_the_approved_work_ends_the_request_and_the_new_one_is_decided(platform):
    # Given a high-priority task whose request waits in its first execution
    task = platform.service.create(OWNER, {"title": "Rotate staging keys", "description": "staging only"})
    task = platform.service.update(OWNER, task.id, {"priority": "high"})
    (first,) = platform.waiting(task, 1)

    # When its owner rewrites the title while it awaits
    changed = platform.service.update(OWNER, task.id, {"title": "Drop the production database"})

    # Then the first execution ended as withdrawn because the task changed, and a second one waits
    assert platform.finished(first["executionArn"])["status"] == "SUCCEEDED"
    assert _end_state(platform.sfn, first["executionArn"]) == "Withdrawn"
    assert _task_failures(platform.sfn, first["executionArn"]) == ["TaskChanged"]
    second = platform.waiting(task, 2)[1]
    assert platform.sfn.describe_execution(executionArn=second["executionArn"])["status"] == "RUNNING"

    # And a decision on the second request, on the version shown, is recorded
    platform.service.decide(APPROVER, task.id, Decision.APPROVE, "prod ok", {changed.version})
    approved = platform.recorded(task, ApprovalStatus.APPROVED)
    assert (approved.title, approved.approval.decided_by, approved.approval.comment) == (
        "Drop the production database",
        "victor",
        "prod ok",
    )
    assert platform.finished(second["executionArn"])["status"] == "SUCCEEDED"
    assert _end_state(platform.sfn, second["executionArn"]) == "RecordApproved"


def test_an_approved_task_changed_afterwards_asks_again_through_the_bus_rule(platform):
    # Given an approved high-priority task (the probe's "Rotate staging keys", approved by victor)
    task = platform.service.create(OWNER, {"title": "Rotate staging keys", "priority": "high"})
    platform.waiting(task, 1)
    platform.service.decide(APPROVER, task.id, Decision.APPROVE, "staging ok", {1})
    approved = platform.recorded(task, ApprovalStatus.APPROVED)

    # When the owner changes what was approved
    changed = platform.service.update(OWNER, task.id, {"description": "prod, no backup"})

    # Then a second execution waits for the new request, and the history says why, as its own entry
    assert changed.approval.status is ApprovalStatus.AWAITING
    assert platform.waiting(task, 2)
    history = platform.history(task)
    dismissed = [entry for entry in history if entry["type"] == "approvalDismissed"]
    assert [entry["reason"] for entry in dismissed] == ["approval dismissed: description changed"]
    assert dismissed[0]["changes"][0]["previous"]["status"] == "approved"
    assert dismissed[0]["actor"] == "alice"

    # And a decision on the version approved before is stale; one on the new version is recorded
    stale = approved.version
    with pytest.raises(PreconditionFailed):
        platform.service.decide(APPROVER, task.id, Decision.APPROVE, None, {stale})
    platform.service.decide(APPROVER, task.id, Decision.REJECT, "not with prod data", {changed.version})
    rejected = platform.recorded(task, ApprovalStatus.REJECTED)
    assert rejected.approval.comment == "not with prod data"


def test_a_due_date_change_leaves_the_approval_and_its_execution_alone(platform):
    task = platform.service.create(OWNER, {"title": "Rotate staging keys", "priority": "high"})
    (first,) = platform.waiting(task, 1)
    token = platform.tasks.read(task.id).approval_token

    platform.service.update(OWNER, task.id, {"dueDate": "2030-01-31", "tags": ["ops"]})
    platform.settle()

    assert [e["executionArn"] for e in platform.executions(task)] == [first["executionArn"]]
    assert platform.sfn.describe_execution(executionArn=first["executionArn"])["status"] == "RUNNING"
    assert platform.tasks.read(task.id).approval_token == token
    assert [entry["type"] for entry in platform.history(task)] == ["updated"]
