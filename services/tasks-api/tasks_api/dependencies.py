"""The API's services: those a caller of handle() passed (in the app's context), else the real ones,
built once per container on first use (after moto starts, in tests).
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

import boto3

from tasks_api.config import settings
from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.stepfunctions import StepFunctionsApprovals
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.activity import ActivityService
from tasks_shared.usecases.tasks import TaskService


def task_service(context: Mapping[str, Any]) -> TaskService:
    return context.get("service") or default_service()


def activity_service(context: Mapping[str, Any]) -> ActivityService:
    return context.get("activity") or default_activity()


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def _stepfunctions() -> Any:
    return boto3.client("stepfunctions")


def _page_token_key() -> bytes:
    """The page-token key from Secrets Manager (Powertools Parameters, imported here so that neither the
    cold start nor a request that pages nothing pays for it)."""
    from aws_lambda_powertools.utilities.parameters import get_secret  # noqa: PLC0415

    return str(get_secret(settings().pagination_secret_id)).encode()


@cache
def _page_tokens() -> PageTokens:
    """Page tokens for this container; the key is read once, by the first request that pages."""
    return PageTokens(_page_token_key)


@cache
def default_service() -> TaskService:
    config = settings()
    return TaskService(
        DynamoDBTaskRepository(_dynamodb(), config.tasks_table, config.views_table),
        _page_tokens(),
        StepFunctionsApprovals(_stepfunctions),  # built by the first decision or withdrawal
    )


@cache
def default_activity() -> ActivityService:
    activity = DynamoDBActivity(_dynamodb(), settings().activity_table)
    return ActivityService(activity, default_service(), _page_tokens())
