"""The approval workflow, locally: the state machine from statemachines/approval.asl.json on moto's
Step Functions interpreter, and the delivery of the bus's approval rules to it.

moto's EventBridge cannot deliver to Step Functions (docs/local-runtime.md), so each rule with a
`stateMachine` target delivers to an SQS queue (bus.py) that `ExecutionStarter` drains into
StartExecution, named from the rule's `executionName` paths as the target's Name is in AWS. Matching
stays moto's.
"""

import json
import logging
import os
import re
import threading
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tasks_local.runtime.bus import ACCOUNT_ID, Queue, rules_definition
from tasks_local.runtime.settings import REPO_ROOT
from tasks_shared.adapters.dynamodb import approvals

ASL_PATH = REPO_ROOT / "statemachines" / "approval.asl.json"
DEFAULT_TIMEOUT_SECONDS = 72 * 3600
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")  # what an execution name may be, kept to the safe set
# The execution role the local state machine names: moto does not check it, AWS gets Terraform's.
_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/local-tasks-approval"


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def render(template: str, values: dict[str, str]) -> str:
    """Fill ${name} as Terraform's templatefile does; a missing value is an error, never left in."""
    missing = placeholders(template) - values.keys()
    if missing:
        raise KeyError(f"no value for {', '.join(sorted(missing))} in the approval workflow's template")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def workflow_values(
    tasks_table: str, topic_arn: str, web_url: str, timeout_seconds: int | None = None
) -> dict[str, str]:
    """The template's values locally (`web_url`: the approvers' web app, which the notification's link
    opens); the timeout, unless given, comes from APPROVAL_TIMEOUT_SECONDS (default 72 h)."""
    if timeout_seconds is None:
        timeout_seconds = int(os.environ.get("APPROVAL_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    return {
        "tasks_table": tasks_table,
        "approvals_topic_arn": topic_arn,
        "approval_timeout_seconds": str(timeout_seconds),
        "web_url": web_url,
    }


def definition(values: dict[str, str], path: Path = ASL_PATH) -> str:
    """The state machine's definition: the template file as it is now, filled."""
    return render(path.read_text(), values)


@dataclass(frozen=True)
class Workflow:
    state_machine_arn: str
    topic_arn: str
    values: dict[str, str]  # what the template was filled with: a saved template is filled the same


def provision_workflow(
    prefix: str,
    tasks_table: str,
    web_url: str,
    client: Callable[[str], Any] = boto3.client,
    timeout_seconds: int | None = None,
) -> Workflow:
    """The approvers' topic and the state machine, from the template. moto must run executions
    (`enable_execution`), or StartExecution would succeed and do nothing."""
    topic_arn = client("sns").create_topic(Name=f"{prefix}-approvals")["TopicArn"]
    values = workflow_values(tasks_table, topic_arn, web_url, timeout_seconds)
    arn = client("stepfunctions").create_state_machine(
        name=f"{prefix}-approval", definition=definition(values), roleArn=_ROLE_ARN, type="STANDARD"
    )["stateMachineArn"]
    return Workflow(arn, topic_arn, values)


def update_workflow(
    workflow: Workflow, path: Path = ASL_PATH, client: Callable[[str], Any] = boto3.client
) -> None:
    """The saved template applied as Terraform applies it (UpdateStateMachine): new executions run it,
    running ones keep the definition they started with. A definition Step Functions refuses raises."""
    client("stepfunctions").update_state_machine(
        stateMachineArn=workflow.state_machine_arn, definition=definition(workflow.values, path)
    )


def enable_execution(aws_endpoint: str) -> None:
    """moto server's switch for its Step Functions interpreter (in-process: mock_aws's config)."""
    request = urllib.request.Request(  # noqa: S310 (our own loopback endpoint, http only)
        f"{aws_endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    # The URL is the local moto server's, built above from its http://127.0.0.1 endpoint: no file: scheme.
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310  # nosec B310
        pass
    # Its parser logs every caught failure (a duplicate start's condition, a rejection) with a dump of
    # the state: noise here, since the execution history records them.
    logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)


def _path_value(document: Any, path: str) -> Any:
    for part in path.removeprefix("$.").split("."):
        document = document[part]
    return document


def execution_name(event: dict[str, Any], paths: list[str]) -> str:
    """The rule's `executionName` paths of the event, joined with '-'; a value outside the allowed
    characters or length becomes a name-based UUID of it, still the same for the same event."""
    name = "-".join(str(_path_value(event, path)) for path in paths)
    return name if _NAME.fullmatch(name) else str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def execution_names() -> list[list[str]]:
    """Every `executionName` a stateMachine rule declares (they all name the same way today)."""
    targets = (rule["target"] for rule in rules_definition()["rules"].values())
    return [target["executionName"] for target in targets if "stateMachine" in target]


class ExecutionStarter(threading.Thread):
    """The rule's state-machine target: a queue message (an event) → StartExecution. A name already
    used is the same event again: done. Any other failure leaves the message to be received again,
    and the queue's redrive policy moves it to its DLQ, as EventBridge's target DLQ would."""

    wait_seconds = 1

    def __init__(self, queue: Queue, workflow: Workflow, stop: threading.Event, log: Any) -> None:
        super().__init__(name="approval-starter", daemon=True)
        self.queue, self.workflow, self.stop, self.log = queue, workflow, stop, log
        self.sqs, self.sfn = boto3.client("sqs"), boto3.client("stepfunctions")
        (self.paths,) = {tuple(paths) for paths in execution_names()}

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # the emulator may be stopping; never end the thread silently
                if self.stop.is_set():
                    return
                self.log.write(f"starter error: {type(exc).__name__}: {exc}\n")
                self.stop.wait(1)

    def poll_once(self) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=self.wait_seconds
        ).get("Messages", [])
        for message in messages:
            if self.start_execution(json.loads(message["Body"])):
                self.sqs.delete_message(QueueUrl=self.queue.url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def start_execution(self, event: dict[str, Any]) -> bool:
        name = execution_name(event, list(self.paths))
        try:
            self.sfn.start_execution(
                stateMachineArn=self.workflow.state_machine_arn, name=name, input=json.dumps(event)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return True
            self.log.write(f"could not start {name}: {exc.response['Error']['Code']}\n")
            return False
        self.log.write(f"approval requested: execution {name}\n")
        return True


# Who the history names for a request the local runtime re-opened after a restart.
REOPENED_BY = "local-runtime"


def reopen_awaiting_requests(tasks_table: str, now: str) -> int:
    """After a restart, every approval that awaits a decision gets a new request: an execution cannot be
    frozen mid-wait, so the one that held its token is gone. The task's approval moves to a new
    `requestedAt` (a new version, by `local-runtime`), the old execution's token and any decision
    claimed on it go, and the bus's approval rule starts a new execution from the change, as for any
    new request: so an approver decides it as before. Conditional on the request being the one read:
    a task changed meanwhile is left to the change. How many were re-opened."""
    dynamodb = boto3.client("dynamodb")
    reopened = 0
    awaiting = {"FilterExpression": "approval.#s = :awaiting", "ExpressionAttributeNames": {"#s": "status"}}
    values = {":awaiting": {"S": "awaiting"}}
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=tasks_table, **awaiting, ExpressionAttributeValues=values
    ):
        for item in page["Items"]:
            requested = item["approval"]["M"].get("requestedAt")
            same_request = (
                "approval.requestedAt = :old" if requested else "attribute_not_exists(approval.requestedAt)"
            )
            try:
                dynamodb.update_item(
                    TableName=tasks_table,
                    Key={"id": item["id"]},
                    UpdateExpression="SET approval.requestedAt = :now, #v = #v + :one, updatedAt = :now,"
                    " updatedBy = :by REMOVE correlationId, #token, #decision",
                    ConditionExpression=f"approval.#s = :awaiting AND {same_request}",
                    ExpressionAttributeNames={"#s": "status", "#v": "version", **approvals.NAMES},
                    ExpressionAttributeValues={
                        **values,
                        ":now": {"S": now},
                        ":one": {"N": "1"},
                        ":by": {"S": REOPENED_BY},
                        **({":old": requested} if requested else {}),
                    },
                )
            except dynamodb.exceptions.ConditionalCheckFailedException:
                continue
            reopened += 1
    return reopened
