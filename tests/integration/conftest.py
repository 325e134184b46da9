"""Drive the real tasks-api handler with payload 2.0 sample events, against moto."""

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tasks_api.handler import handle, lambda_handler
from tasks_local.functions import LambdaContext
from tasks_local.samples import api_event
from tasks_shared.service import TaskService


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
