"""Tracing still records the API's AWS calls now that the Tracer patches botocore alone (issue 11).

The tests run with tracing off (tests/conftest.py), and Powertools traces only inside Lambda, so this
runs a request in a fresh process set up as Lambda would be: LAMBDA_TASK_ROOT, tracing on, a sampled
trace id. The function is imported through its entry point (function.yml's `handler`), as Lambda does.
moto serves DynamoDB and Secrets Manager in that process; the X-Ray emitter is replaced by one that
keeps what would have gone to the daemon.
"""

import json
import os
import subprocess
import sys

import pytest

from tasks_local.runtime.embedded_aws import in_process_environment
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.settings import REPO_ROOT
from tests.support.samples import api_event

PREFIX = "trace-tasks"

_REQUEST = """
import importlib, json, sys
import boto3
from moto import mock_aws
from tasks_local.runtime.embedded_aws import create_secrets, secret_names
from tasks_shared.tables import create_table_request, definitions
import os

module, attribute = sys.argv[1].rsplit(".", 1)
lambda_handler = getattr(importlib.import_module(module), attribute)
from aws_xray_sdk.core import xray_recorder


class KeptEmitter:
    def __init__(self):
        self.sent = []

    def send_entity(self, entity):
        self.sent.append(json.loads(entity.serialize()))

    def set_daemon_address(self, address):
        pass


xray_recorder.emitter = emitter = KeptEmitter()


class Context:
    function_name = "tasks-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:tasks-api"
    aws_request_id = "trace-test"


with mock_aws():
    client = boto3.client("dynamodb")
    for key, definition in definitions().items():
        client.create_table(**create_table_request(key, os.environ[definition["env"]]))
    create_secrets(boto3.client("secretsmanager"), secret_names(sys.argv[2]))
    emitter.sent.clear()
    status = lambda_handler(json.loads(sys.stdin.read()), Context())["statusCode"]


def walk(entity):
    yield entity
    for child in entity.get("subsegments", []):
        yield from walk(child)


calls = [
    {"name": found["name"], "operation": found.get("aws", {}).get("operation"),
     "table": found.get("aws", {}).get("table_name")}
    for sent in emitter.sent for found in walk(sent) if found.get("namespace") == "aws"
]
print(json.dumps({"status": status, "calls": calls}))
"""


@pytest.fixture(scope="module")
def traced_create():
    """POST /tasks in a fresh Lambda-like process with tracing on: its status and the AWS calls traced."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "AWS_ENDPOINT_URL")}
    env |= in_process_environment(PREFIX) | {
        "LAMBDA_TASK_ROOT": "/var/task",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "_X_AMZN_TRACE_ID": "Root=1-6760a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
    }
    event = api_event("create-task", body={"title": "traced", "priority": "low"})
    result = subprocess.run(
        [sys.executable, "-c", _REQUEST, load_all()["tasks-api"].handler, PREFIX],
        input=json.dumps(event),
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_traced_create_records_its_dynamodb_write_as_a_subsegment(traced_create):
    assert traced_create["status"] == 201
    assert {"name": "dynamodb", "operation": "PutItem", "table": f"{PREFIX}-tasks"} in traced_create["calls"]


def test_a_traced_create_records_only_aws_calls_the_function_makes(traced_create):
    assert {call["name"] for call in traced_create["calls"]} <= {"dynamodb", "secretsmanager", "states"}
