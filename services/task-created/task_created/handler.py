"""task-created: per-owner counters (created, by priority), the creation in the audit trail, a metric,
and a notification to the assignee. The batch loop and its exactly-once-in-effect order are in
tasks_shared.consumer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_created.observability import SERVICE, logger, metrics, tracer
from tasks_shared.activity import ActivityRepository, HistoryEntry, created_counts
from tasks_shared.config import read_env
from tasks_shared.consumer import AssignmentNotifier, DeadLetters, EventConsumer, TaskEvent


@dataclass(frozen=True)
class Config:
    activity_table: str
    topic_arn: str

    @classmethod
    def from_env(cls) -> Config:
        env = read_env("ACTIVITY_TABLE", "NOTIFICATIONS_TOPIC_ARN")
        return cls(activity_table=env["ACTIVITY_TABLE"], topic_arn=env["NOTIFICATIONS_TOPIC_ARN"])


@dataclass(frozen=True)
class Dependencies:
    activity: ActivityRepository
    notifier: AssignmentNotifier
    dead_letters: DeadLetters


@cache
def default_dependencies() -> Dependencies:
    """The real adapters, built once per container on first use (after moto starts, in tests)."""
    config = Config.from_env()
    return Dependencies(
        activity=ActivityRepository(boto3.client("dynamodb"), config.activity_table),
        notifier=AssignmentNotifier(boto3.client("sns"), config.topic_arn),
        dead_letters=DeadLetters(boto3.client("sqs")),
    )


@tracer.capture_method
def record_creation(event: TaskEvent, deps: Dependencies) -> bool:
    task = event.task
    if task.get("assignee"):
        deps.notifier.notify(task)  # at least once: before the commit
    recorded = deps.activity.record_once(
        event.event_id,
        SERVICE,
        owner_id=task["ownerId"],
        counts=created_counts(task["priority"]),
        history=HistoryEntry.created(event.detail),
    )
    if recorded:
        logger.info("creation recorded", priority=task["priority"], notified=bool(task.get("assignee")))
        metrics.add_metric(name="TasksCreated", unit=MetricUnit.Count, value=1)
    return recorded


def handle(event: dict[str, Any], context: LambdaContext | None, deps: Dependencies | None = None) -> dict:
    """One SQS batch; tests pass their own dependencies instead of patching."""
    deps = deps or default_dependencies()
    consumer = EventConsumer(
        name=SERVICE,
        accepts="TaskCreated",
        process=lambda task_event: record_creation(task_event, deps),
        activity=deps.activity,
        dead_letters=deps.dead_letters,
        logger=logger,
        metrics=metrics,
    )
    return consumer.handle(event, context)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:
    return handle(event, context)
