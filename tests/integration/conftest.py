"""Drive the real tasks-api handler with payload 2.0 sample events, against moto."""

import json
import os
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from task_completed import handler as completed
from task_completed.completion import TaskArchive
from task_created import handler as created
from task_updated import handler as updated
from tasks_api.handler import handle, lambda_handler
from tasks_local.runtime.functions import LambdaContext
from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.adapters.sns import AssignmentNotifier
from tasks_shared.adapters.sqs import DeadLetters
from tasks_shared.usecases.tasks import TaskService
from tests.support.pipeline import Indexer
from tests.support.samples import api_event

RETENTION_DAYS = 30


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: Any


class ApiCaller:
    """Invokes lambda_handler as API Gateway would and decodes its payload 2.0 response.

    Set `service` to route requests to a service of the test's own making instead.
    """

    service: TaskService | None = None

    def __call__(self, name: str, **overrides: Any) -> ApiResponse:
        event, context = api_event(name, **overrides), LambdaContext("tasks-api")
        result = handle(event, context, self.service) if self.service else lambda_handler(event, context)
        body = result.get("body")
        headers = {key.lower(): value for key, value in (result.get("headers") or {}).items()}
        return ApiResponse(result["statusCode"], headers, json.loads(body) if body else None)

    def create(self, user: str = "alice", **fields: Any) -> dict[str, Any]:
        response = self("create-task", user=user, body={"title": "a task", **fields})
        assert response.status == 201, response.body
        return response.body


@pytest.fixture
def api(aws) -> ApiCaller:
    return ApiCaller()


@pytest.fixture
def indexer(aws) -> Indexer:
    """Projects the committed changes into the lists: call `catch_up()` between writes and a list."""
    return Indexer()


# --- the event side: queues, bus, bucket, topic, and each consumer's real adapters ----------------


@pytest.fixture
def activity(aws) -> DynamoDBActivity:
    return DynamoDBActivity(aws, os.environ["ACTIVITY_TABLE"])


@pytest.fixture
def notifier(resources) -> AssignmentNotifier:
    return AssignmentNotifier(boto3.client("sns"), resources.topic_arn)


@pytest.fixture
def created_deps(activity, notifier) -> created.Dependencies:
    return created.Dependencies(activity, notifier, DeadLetters(boto3.client("sqs")))


@pytest.fixture
def updated_deps(activity, notifier) -> updated.Dependencies:
    return updated.Dependencies(activity, notifier, DeadLetters(boto3.client("sqs")))


@pytest.fixture
def completed_deps(activity, tasks, resources) -> completed.Dependencies:
    archive = TaskArchive(boto3.client("s3"), resources.bucket)
    return completed.Dependencies(activity, tasks, archive, DeadLetters(boto3.client("sqs")), RETENTION_DAYS)
