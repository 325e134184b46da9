"""Entry point of the listing indexer: a batch of tasks-table stream records in, the failed checkpoint out."""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_indexer import logger, metrics, tracer
from task_indexer.config import settings
from task_indexer.indexer import ViewIndexer
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.dynamodb.views import DynamoDBViews


@cache
def default_indexer() -> ViewIndexer:
    """The real indexer and its DynamoDB client, built once per container on first use."""
    config = settings()
    client = boto3.client("dynamodb")
    return ViewIndexer(
        DynamoDBTaskRepository(client, config.tasks_table, config.views_table),
        DynamoDBViews(client, config.views_table),
    )


def handle(
    event: dict[str, Any], context: LambdaContext, indexer: ViewIndexer | None = None
) -> dict[str, Any]:
    """Index one batch; tests pass their own indexer instead of patching."""
    failed = (indexer or default_indexer()).index(list(DynamoDBStreamEvent(event).records))
    # For a stream, Lambda checkpoints before the lowest reported sequence number: one entry suffices.
    return {"batchItemFailures": [{"itemIdentifier": failed}] if failed else []}


# No log_event: the images hold internal attributes (and may hold an approval token).
@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)
