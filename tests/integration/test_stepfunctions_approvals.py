"""The Step Functions adapter against moto's interpreter (execution switched on): each answer reaches a
real task-token wait as the approval workflow reads it, and a request that had ended is one error of
ours that carries nothing of the token. The approval ASL itself is tested in test_approval_workflow."""

import json

import boto3
import pytest
from moto import mock_aws

from tasks_shared.adapters.stepfunctions import StepFunctionsApprovals
from tasks_shared.domain.approval import TaskToken
from tasks_shared.domain.errors import ApprovalRequestEnded
from tasks_shared.usecases.ports import Withdrawal
from tests.support.polling import eventually

DEADLINE = 5.0


class Wait:
    """A one-state machine that hands its task token to a queue and waits on it."""

    def __init__(self) -> None:
        self.sfn, self.sqs = boto3.client("stepfunctions"), boto3.client("sqs")
        self.queue = self.sqs.create_queue(QueueName="tokens")["QueueUrl"]
        state = {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": self.queue, "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 30,
            "End": True,
        }
        definition = json.dumps({"StartAt": "Wait", "States": {"Wait": state}})
        self.arn = self.sfn.create_state_machine(
            name="approval", definition=definition, roleArn="arn:aws:iam::123456789012:role/approval"
        )["stateMachineArn"]
        self.executions: list[str] = []

    def start(self) -> tuple[str, TaskToken]:
        """An execution, and its token once it waits (a callback sent any earlier is lost in moto)."""
        name = f"wait-{len(self.executions)}"
        execution = self.sfn.start_execution(stateMachineArn=self.arn, name=name, input="{}")["executionArn"]
        self.executions.append(execution)
        messages = eventually(lambda: self.sqs.receive_message(QueueUrl=self.queue).get("Messages"), DEADLINE)
        assert messages, "the execution never handed out its token"
        return execution, TaskToken(json.loads(messages[0]["Body"])["token"])

    def ended(self, execution: str) -> dict:
        described = eventually(
            lambda: (
                (found := self.sfn.describe_execution(executionArn=execution))["status"] != "RUNNING"
                and found
            ),
            DEADLINE,
        )
        assert described, "the execution is still waiting"
        return described

    def failure(self, execution: str) -> str:
        events = self.sfn.get_execution_history(executionArn=execution)["events"]
        return next(
            e["executionFailedEventDetails"]["error"] for e in events if e["type"] == "ExecutionFailed"
        )


@pytest.fixture
def wait():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield Wait()


@pytest.fixture
def approvals(wait) -> StepFunctionsApprovals:
    return StepFunctionsApprovals(lambda: wait.sfn)


def test_an_approval_ends_the_wait_with_the_decision(wait, approvals):
    execution, token = wait.start()
    approvals.approve(token)
    ended = wait.ended(execution)
    assert (ended["status"], json.loads(ended["output"])) == ("SUCCEEDED", {"decision": "approve"})


def test_a_rejection_fails_the_wait_with_the_error_the_workflow_reads(wait, approvals):
    execution, token = wait.start()
    approvals.reject(token)
    assert (wait.ended(execution)["status"], wait.failure(execution)) == ("FAILED", "Rejected")


@pytest.mark.parametrize("reason", list(Withdrawal))
def test_a_withdrawal_fails_the_wait_with_its_reason(wait, approvals, reason):
    execution, token = wait.start()
    approvals.withdraw(token, reason)
    assert wait.ended(execution)["status"] == "FAILED"
    assert wait.failure(execution) == reason.value


def test_an_approval_after_the_request_ended_is_request_ended(wait, approvals):
    """moto accepts a late SendTaskFailure silently where AWS refuses it: the approval shows the mapping."""
    execution, token = wait.start()
    approvals.withdraw(token, Withdrawal.WITHDRAWN)
    wait.ended(execution)
    with pytest.raises(ApprovalRequestEnded):
        approvals.approve(token)


@pytest.mark.parametrize("answer", ["approve", "reject", "withdraw"])
def test_a_token_no_execution_issued_is_request_ended_and_the_error_carries_nothing_of_it(approvals, answer):
    token = TaskToken("forged-or-long-gone-token-0123456789")
    arguments = (token, Withdrawal.TASK_DELETED) if answer == "withdraw" else (token,)
    with pytest.raises(ApprovalRequestEnded) as refused:
        getattr(approvals, answer)(*arguments)
    error = refused.value
    assert token.secret not in str(error)
    assert (error.__cause__, error.__context__) == (None, None)
