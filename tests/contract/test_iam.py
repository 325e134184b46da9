"""Each function's IAM permissions (its manifest) against the AWS calls it really makes.

Every function runs with its real lambda_handler and its own clients, in-process on moto: the API
over a CRUD flow, the publisher and the consumers over the whole event path (including a poison
message and a completion). Every call is recorded, attributed to the function that made it, and
turned into its IAM action and resource. The manifest must grant each one, and grant nothing else.
"""

import contextvars
import fnmatch
import io
import json
import os
import sys
import threading
from collections import defaultdict
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from botocore.client import BaseClient
from moto import mock_aws

from tasks_local.runtime.bus import event_resource_names, provision_events
from tasks_local.runtime.embedded_aws import secret_names
from tasks_local.runtime.functions import LocalFunction
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.pollers import QueuePoller, StreamPoller
from tasks_shared.tables import definitions
from tests.conftest import create_resources
from tests.support.pipeline import drain
from tests.support.samples import api_event, load_event

# Both recording tests read one recording: on one worker, so it is made once per run.
pytestmark = pytest.mark.xdist_group("iam-recording")

PREFIX = "local-tasks"
TEST_PREFIX = "test-tasks"  # the tables' and secrets' prefix in tests/conftest.py
_current = contextvars.ContextVar("function", default=None)
# Task token -> the state machine (its file in statemachines/) whose wait it answers. IAM checks
# SendTask* against that state machine's ARN; a token does not name it, so the tokens the exercise
# plants on items, as the approval workflow's first state does, are recorded here.
_TOKEN_ISSUERS: dict[str, str] = {}
_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# Calls that Lambda's event source mapping makes with the function's role (reading its trigger, and
# sending to a stream's on-failure destination): granted, but not made by the function's code, so
# they cannot be observed here; a static test below pins them.
_EVENT_SOURCE_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}


def _event_source_grant(manifest, action: str, pattern: str) -> bool:
    failure_queues = {
        f"queue/{e['stream']['onFailure']['queue']}"
        for e in manifest.events
        if "onFailure" in e.get("stream", {})
    }
    return action in _EVENT_SOURCE_ACTIONS or (action == "sqs:SendMessage" and pattern in failure_queues)


def _logical(physical: str) -> str:
    tables = {os.environ[definition["env"]]: key for key, definition in definitions().items()}
    return tables.get(physical) or physical.removeprefix(f"{PREFIX}-")


def _dynamodb_permissions(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_ITEM_ACTIONS[kind]}", f"table/{_logical(body['TableName'])}")
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", f"table/{_logical(table)}") for table in params["RequestItems"]]
    resource = f"table/{_logical(params['TableName'])}"
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


_SECRETS = {name: key for key, name in secret_names(TEST_PREFIX).items()}
# The resource IAM checks for a call of each service other than DynamoDB, named as in manifests.
_RESOURCE_OF = {
    "sqs": lambda p: f"queue/{_logical(p.get('QueueName') or p['QueueUrl'].rsplit('/', 1)[-1])}",
    "sns": lambda p: f"topic/{_logical(p['TopicArn'].rsplit(':', 1)[-1])}",
    "s3": lambda p: f"bucket/{_logical(p['Bucket'])}/{p['Key']}",
    "events": lambda _p: "bus",
    "secretsmanager": lambda p: f"secret/{_SECRETS[p['SecretId']]}",
    "stepfunctions": lambda p: f"stateMachine/{_TOKEN_ISSUERS[p['taskToken']]}",
}
_IAM_PREFIX = {"stepfunctions": "states"}


def _permissions(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (action, resource) pairs IAM checks for one API call, resources named as in manifests."""
    if service == "dynamodb":
        return _dynamodb_permissions(operation, params)
    if service not in _RESOURCE_OF:
        raise AssertionError(f"no IAM mapping for {service}:{operation}")
    return [(f"{_IAM_PREFIX.get(service, service)}:{operation}", _RESOURCE_OF[service](params))]


def _granted(grants: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any(
        action in grant["actions"]
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in grant["resources"])
        for grant in grants
    )


class AttributedFunction(LocalFunction):
    """A local function whose AWS calls are attributed to it while it runs."""

    def invoke(self, event: dict[str, Any]) -> Any:
        token = _current.set(self.manifest.name)
        try:
            return super().invoke(event)
        finally:
            _current.reset(token)


def _recorded_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[tuple[str, str]]]:
    """function name -> the (action, resource) pairs of the AWS calls its code made."""
    calls: dict[str, set[tuple[str, str]]] = defaultdict(set)
    original = BaseClient._make_api_call

    def record(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        function = _current.get()
        if function:
            service = client.meta.service_model.service_name
            calls[function].update(_permissions(service, operation, params))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return calls


def _functions(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, AttributedFunction], Any]:
    """Every function from its manifest, configured for this moto account, with fresh containers."""
    region = os.environ["AWS_REGION"]
    names = {
        "tables": {key: os.environ[definition["env"]] for key, definition in definitions().items()},
        "secrets": secret_names(TEST_PREFIX),
        "settings": {"retention_days": "30", "metrics_disabled": "false"},
        **event_resource_names(PREFIX, region),
    }
    manifests = load_all(names)
    resources = provision_events(PREFIX, region, manifests)
    for manifest in manifests.values():
        for key, value in manifest.environment.items():
            monkeypatch.setenv(key, value)
    logs = io.StringIO()  # the functions' logs are not under test
    loaded = {name: AttributedFunction(manifest, log_stream=logs) for name, manifest in manifests.items()}
    for function in loaded.values():
        function.warm()
    _fresh_containers()
    return loaded, resources


def _fresh_containers() -> None:
    """Forget clients and settings cached by earlier tests: each function builds its own (a cold start)."""
    packages = {
        "tasks_api",
        "task_publisher",
        "task_created",
        "task_updated",
        "task_completed",
        "task_indexer",
        "tasks_shared",
    }
    parameters.clear_caches()  # Powertools Parameters' cache lives as long as its container
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] in packages:
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def _exercise(functions, resources) -> None:
    api = functions["tasks-api"]
    created = json.loads(api.invoke(api_event("create-task"))["body"])
    other = json.loads(api.invoke(api_event("create-task", body={"title": "to delete"}))["body"])
    api.invoke(api_event("get-task", task_id=created["id"]))
    api.invoke(api_event("list-tasks", query={}))
    api.invoke(api_event("list-tasks", query={"status": "pending"}))
    api.invoke(api_event("list-tasks", query={"nextToken": "eyJrIjoxfQ.forged"}))  # checked with the key
    api.invoke(
        api_event("update-task", task_id=created["id"], body={"assignee": "carol"}, headers={"If-Match": "*"})
    )
    api.invoke(
        api_event(
            "update-task", task_id=created["id"], body={"status": "completed"}, headers={"If-Match": "*"}
        )
    )
    api.invoke(api_event("delete-task", task_id=other["id"]))
    api.invoke(api_event("get-stats"))
    api.invoke(api_event("get-task-history", task_id=created["id"]))
    _exercise_approvals(api)

    invalid = load_event("samples/eventbridge/invalid-TaskCreated")
    for queue in ("task-created", "task-updated", "task-completed"):
        boto3.client("sqs").send_message(
            QueueUrl=resources.queues[queue].url, MessageBody=json.dumps(invalid)
        )
    stop = threading.Event()
    pollers = []
    for name in ("task-publisher", "task-indexer"):
        function = functions[name]
        stream_spec = next(e["stream"] for e in function.manifest.events if "stream" in e)
        pollers.append(StreamPoller(function, stream_spec, stop, os.environ["TASKS_TABLE"], None))
    for name in ("task-created", "task-updated", "task-completed"):
        queue = resources.queues[name]
        pollers.append(QueuePoller(functions[name], {"batchSize": 10}, stop, queue.url, queue.arn))
    drain(pollers)
    drain(pollers)


def _awaiting_with_token(api) -> str:
    """A high-priority task whose approval request waits: its token planted as the workflow stores it."""
    task = json.loads(api.invoke(api_event("create-task", body={"title": "big", "priority": "high"}))["body"])
    token = f"token-{task['id']}"
    _TOKEN_ISSUERS[token] = "approval"
    boto3.client("dynamodb").update_item(
        TableName=os.environ["TASKS_TABLE"],
        Key={"id": {"S": task["id"]}},
        UpdateExpression="SET approvalToken = :token",
        ExpressionAttributeValues={":token": {"S": token}},
    )
    return task["id"]


def _exercise_approvals(api) -> None:
    """An approval and a rejection (SendTaskSuccess, SendTaskFailure), a withdrawal, the queue."""
    approver = {"user": "carol", "groups": ("approvers",)}
    for decision in ("approve", "reject"):
        body = {"decision": decision}
        api.invoke(api_event("decide-approval", task_id=_awaiting_with_token(api), body=body, **approver))
    lower = {"priority": "low"}
    api.invoke(
        api_event("update-task", task_id=_awaiting_with_token(api), body=lower, headers={"If-Match": "*"})
    )
    api.invoke(api_event("list-approvals", query={}, **approver))


@pytest.fixture(scope="module")
def exercised():
    """Every function's real handlers run once through everything they do, recording each AWS call:
    once for the module (the run takes seconds), read by the two tests below."""
    with mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        create_resources()
        calls = _recorded_calls(monkeypatch)
        loaded, resources = _functions(monkeypatch)
        _exercise(loaded, resources)
    return loaded, calls


def test_every_call_a_function_makes_is_granted_by_its_manifest(exercised):
    loaded, calls = exercised
    missing = {
        name: sorted(call for call in calls[name] if not _granted(function.manifest.iam, *call))
        for name, function in loaded.items()
    }
    assert missing == {name: [] for name in loaded}


def test_every_grant_in_a_manifest_is_used(exercised):
    loaded, calls = exercised
    unused = {}
    for name, function in loaded.items():
        unused[name] = sorted(
            (action, pattern)
            for grant in function.manifest.iam
            for action in grant["actions"]
            for pattern in grant["resources"]
            if not _event_source_grant(function.manifest, action, pattern)
            and not any(a == action and fnmatch.fnmatchcase(r, pattern) for a, r in calls[name])
        )
    assert unused == {name: [] for name in loaded}


def test_every_triggered_function_is_granted_what_its_event_source_mapping_needs():
    for manifest in load_all().values():
        for event in manifest.events:
            if "sqs" in event:
                for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
                    assert _granted(manifest.iam, action, f"queue/{event['sqs']['queue']}"), (
                        manifest.name,
                        action,
                    )
            if "stream" in event:
                resource = f"table/{event['stream']['table']}/stream/x"
                for action in ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"):
                    assert _granted(manifest.iam, action, resource), (manifest.name, action)
                failure = event["stream"].get("onFailure")
                if failure:
                    assert _granted(manifest.iam, "sqs:SendMessage", f"queue/{failure['queue']}")
