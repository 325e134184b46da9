"""task-created: per-owner counters (created, by priority), the creation in the audit trail, a metric,
and a notification to the assignee. The batch loop and its exactly-once-in-effect order are in
tasks_shared.usecases.consumer."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_created import SERVICE, logger, metrics, tracer
from task_created.config import settings
from tasks_shared.adapters.wiring import notifying_dependencies
from tasks_shared.domain.activity import HistoryEntry, created_counts
from tasks_shared.domain.events import TaskEvent
from tasks_shared.usecases.consumer import NotifyingDependencies, batch_handler

Dependencies = NotifyingDependencies


@cache
def default_dependencies() -> Dependencies:
    """The real adapters, built once per container on first use (after moto starts, in tests)."""
    config = settings()
    return notifying_dependencies(config.activity_table, config.notifications_topic_arn)


def creation_history(event: TaskEvent) -> tuple[HistoryEntry, ...]:
    """The creation's audit entry: also the event's receipt, committed with the counters."""
    return (HistoryEntry.created(event),)


@tracer.capture_method
def record_creation(event: TaskEvent, deps: Dependencies) -> bool:
    task = event.task
    if task.assignee:
        deps.notifier.notify(task)  # at least once: before the commit
    recorded = deps.activity.record_once(
        event.event_id,
        SERVICE,
        owner_id=task.owner_id,
        counts=created_counts(task.priority),
        history=creation_history(event),
    )
    if recorded:
        logger.info("creation recorded", priority=task.priority.value, notified=bool(task.assignee))
        metrics.add_metric(name="TasksCreated", unit=MetricUnit.Count, value=1)
    return recorded


handle = batch_handler(
    name=SERVICE,
    accepts="TaskCreated",
    process=record_creation,
    history=creation_history,
    default_dependencies=default_dependencies,
    logger=logger,
    metrics=metrics,
)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:
    return handle(event, context)
