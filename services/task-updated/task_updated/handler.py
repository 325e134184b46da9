"""task-updated: the audit-trail entry of each change (who, when, each field before and after), a metric,
and a notification to a new assignee. The batch loop and its exactly-once-in-effect order are in
tasks_shared.usecases.consumer."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_updated import SERVICE, logger, metrics, tracer
from task_updated.config import settings
from tasks_shared.adapters.wiring import notifying_dependencies
from tasks_shared.domain.activity import HistoryEntry
from tasks_shared.domain.events import TaskEvent
from tasks_shared.usecases.consumer import NotifyingDependencies, batch_handler

Dependencies = NotifyingDependencies


@cache
def default_dependencies() -> Dependencies:
    """The real adapters, built once per container on first use (after moto starts, in tests)."""
    config = settings()
    return notifying_dependencies(config.activity_table, config.notifications_topic_arn)


def update_history(event: TaskEvent) -> tuple[HistoryEntry, ...]:
    """The change's audit entry (the event's receipt), then the approval it dismissed, if any."""
    dismissed = HistoryEntry.approval_dismissed(event)
    return (HistoryEntry.updated(event), *([dismissed] if dismissed else []))


@tracer.capture_method
def record_update(event: TaskEvent, deps: Dependencies) -> bool:
    reassigned = "assignee" in event.changes and bool(event.task.assignee)
    if reassigned:
        deps.notifier.notify(event.task)  # at least once: before the commit
    recorded = deps.activity.record_once(event.event_id, SERVICE, history=update_history(event))
    if recorded:
        logger.info(
            "change recorded",
            fields=list(event.changes),
            actor=event.actor,
            notified=reassigned,
            approval_dismissed=bool(event.approval_dismissed),
        )
        metrics.add_metric(name="TaskChangesRecorded", unit=MetricUnit.Count, value=1)
        if reassigned:
            metrics.add_metric(name="TasksReassigned", unit=MetricUnit.Count, value=1)
    return recorded


handle = batch_handler(
    name=SERVICE,
    accepts="TaskUpdated",
    process=record_update,
    history=update_history,
    default_dependencies=default_dependencies,
    logger=logger,
    metrics=metrics,
)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:
    return handle(event, context)
