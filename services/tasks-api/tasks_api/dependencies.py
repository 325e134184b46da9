"""The API's real services, built once per container on first use (after moto starts, in tests).

Routes take a service from the app's context first, so tests and benchmarks pass their own.
"""

from functools import cache
from typing import Any

import boto3

from tasks_api.config import settings
from tasks_shared.activity import ActivityRepository, ActivityService
from tasks_shared.pagination import PageTokens
from tasks_shared.repository.dynamodb import DynamoDBTaskRepository
from tasks_shared.service import TaskService


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def _page_tokens() -> PageTokens:
    return PageTokens(settings().pagination_secret)


@cache
def default_service() -> TaskService:
    config = settings()
    return TaskService(
        DynamoDBTaskRepository(_dynamodb(), config.tasks_table, config.views_table), _page_tokens()
    )


@cache
def default_activity() -> ActivityService:
    activity = ActivityRepository(_dynamodb(), settings().activity_table)
    return ActivityService(activity, default_service(), _page_tokens())
