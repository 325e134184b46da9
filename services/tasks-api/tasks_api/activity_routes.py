"""Routes over what the event consumers record: GET /stats and GET /tasks/{taskId}/history.

A Powertools Router included by handler.py: the app's exception handlers map the domain errors here too.
"""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from tasks_api import http
from tasks_api.config import settings
from tasks_api.observability import tracer
from tasks_api.schemas import validate
from tasks_shared.activity import ActivityRepository, ActivityService
from tasks_shared.errors import TaskNotFound
from tasks_shared.model import Caller
from tasks_shared.pagination import PageTokens
from tasks_shared.repository.dynamodb import DynamoDBTaskRepository
from tasks_shared.service import TaskService

router = APIGatewayHttpRouter()
_TASK_ID_MAX = 64


@cache
def default_activity() -> ActivityService:
    """The real service, built once per container on first use (after moto starts, in tests)."""
    config = settings()
    client = boto3.client("dynamodb")
    tokens = PageTokens(config.pagination_secret)
    tasks = TaskService(DynamoDBTaskRepository(client, config.tasks_table, config.views_table), tokens)
    return ActivityService(ActivityRepository(client, config.activity_table), tasks, tokens)


def _activity() -> ActivityService:
    """Tests may put their own service in the app's context under "activity"."""
    return router.context.get("activity") or default_activity()


def _caller() -> Caller:
    context = router.current_event.request_context
    return http.caller_from_claims(context.authorizer.jwt_claim, context.request_id)


@router.get("/stats")
@tracer.capture_method
def get_stats() -> Response:
    return http.json_response(200, _activity().stats(_caller()).to_dict())


@router.get("/tasks/<task_id>/history")
@tracer.capture_method
def get_history(task_id: str) -> Response:
    caller = _caller()
    params: dict[str, Any] = dict(router.current_event.query_string_parameters or {})
    if params.get("limit", "").isdigit():
        params["limit"] = int(params["limit"])
    params = validate("history-query.json", params, what="query string")
    if len(task_id) > _TASK_ID_MAX:  # ids are ours: a longer one cannot exist, so skip the read
        raise TaskNotFound(task_id[:_TASK_ID_MAX])
    page = _activity().history(caller, task_id, params.get("limit", 20), params.get("nextToken"))
    return http.json_response(
        200, {"items": [entry.to_dict() for entry in page.items], "nextToken": page.next_token}
    )
