"""task-updated: the audit-trail entry of each change (who, when, each field before and after), a metric,
and a notification to a new assignee. The batch loop and its exactly-once-in-effect order are in
tasks_shared.consumer."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from task_updated.observability import SERVICE, logger, metrics, tracer
from tasks_shared.activity import HistoryEntry
from tasks_shared.consumer import NotifyingDependencies, TaskEvent, batch_handler

Dependencies = NotifyingDependencies
default_dependencies = cache(NotifyingDependencies.from_env)


@tracer.capture_method
def record_update(event: TaskEvent, deps: Dependencies) -> bool:
    task = event.task
    reassigned = "assignee" in event.detail["changes"] and bool(task.get("assignee"))
    if reassigned:
        deps.notifier.notify(task)  # at least once: before the commit
    entry = HistoryEntry.updated(event.detail, event.source)
    recorded = deps.activity.record_once(event.event_id, SERVICE, history=entry)
    if recorded:
        logger.info("change recorded", fields=event.detail["changes"], actor=entry.actor, notified=reassigned)
        metrics.add_metric(name="TaskChangesRecorded", unit=MetricUnit.Count, value=1)
        if reassigned:
            metrics.add_metric(name="TasksReassigned", unit=MetricUnit.Count, value=1)
    return recorded


handle = batch_handler(
    name=SERVICE,
    accepts="TaskUpdated",
    process=record_update,
    default_dependencies=default_dependencies,
    logger=logger,
    metrics=metrics,
)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict:
    return handle(event, context)
