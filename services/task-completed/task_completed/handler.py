"""task-completed: the cycle-time metric, completion counters, an S3 snapshot of the task and its
retention TTL. The batch loop and its exactly-once-in-effect order are in tasks_shared.usecases.consumer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_completed import SERVICE, logger, metrics, tracer
from task_completed.completion import TaskArchive, cycle_time_seconds, set_expiry
from task_completed.config import settings
from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.adapters.sqs import DeadLetters
from tasks_shared.domain.activity import completed_counts
from tasks_shared.domain.events import TaskEvent
from tasks_shared.usecases.consumer import batch_handler
from tasks_shared.usecases.ports import ActivityStore, DeadLetterSink, TaskRepository


@dataclass(frozen=True)
class Dependencies:
    activity: ActivityStore
    tasks: TaskRepository
    archive: TaskArchive
    dead_letters: DeadLetterSink
    retention_days: int


@cache
def default_dependencies() -> Dependencies:
    """The real adapters, built once per container on first use (after moto starts, in tests)."""
    config = settings()
    dynamodb = boto3.client("dynamodb")
    return Dependencies(
        activity=DynamoDBActivity(dynamodb, config.activity_table),
        tasks=DynamoDBTaskRepository(dynamodb, config.tasks_table),
        archive=TaskArchive(boto3.client("s3"), config.archive_bucket),
        dead_letters=DeadLetters(boto3.client("sqs")),
        retention_days=config.retention_days,
    )


@tracer.capture_method
def record_completion(event: TaskEvent, deps: Dependencies) -> bool:
    task = event.task
    seconds = cycle_time_seconds(task)
    # Idempotent effects first (same key, same body; a TTL set only where none is), then the commit.
    key = deps.archive.put(task, event.metadata)
    expires_at = set_expiry(deps.tasks, task.id, deps.retention_days)
    recorded = deps.activity.record_once(
        event.event_id, SERVICE, owner_id=task.owner_id, counts=completed_counts(seconds)
    )
    if recorded:
        logger.info("completion recorded", cycle_time_seconds=seconds, archive_key=key, expires_at=expires_at)
        metrics.add_metric(name="CycleTime", unit=MetricUnit.Seconds, value=seconds)
        metrics.add_metric(name="TasksCompleted", unit=MetricUnit.Count, value=1)
    return recorded


handle = batch_handler(
    name=SERVICE,
    accepts="TaskCompleted",
    process=record_completion,
    default_dependencies=default_dependencies,
    logger=logger,
    metrics=metrics,
)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:
    return handle(event, context)
