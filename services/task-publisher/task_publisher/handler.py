"""Entry point of the stream publisher: the batch of stream records in, the failed checkpoint out."""

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from task_publisher import logger, metrics, tracer
from task_publisher.config import settings
from task_publisher.publisher import EventPublisher


@cache
def default_publisher() -> EventPublisher:
    """The real publisher and its events client, built once per container on first use."""
    # One retry layer, ours: botocore's would re-send whole calls under our per-entry retries.
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2, read_timeout=5)
    client = boto3.client("events", config=config)
    return EventPublisher(client, settings().event_bus_name)


def handle(
    event: dict[str, Any], context: LambdaContext, publisher: EventPublisher | None = None
) -> dict[str, Any]:
    """Publish one batch; tests pass their own publisher (over their own client) instead of patching."""
    records = list(DynamoDBStreamEvent(event).records)
    failed = (publisher or default_publisher()).publish(records)
    # For a stream, Lambda checkpoints before the lowest reported sequence number: one entry suffices.
    return {"batchItemFailures": [{"itemIdentifier": failed}] if failed else []}


# No log_event: the images hold internal attributes (and may hold an approval token).
@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)
