"""Every committed change reaches each consumer exactly once in effect, although PutEvents fails for some
entries: the whole path in-process on moto, driven by the local runtime's own stream and queue pollers
(Lambda's batch semantics), with failures injected into the publisher's EventBridge client."""

import os
import threading
from collections import Counter

import boto3
import pytest

from task_completed import handler as completed
from task_created import handler as created
from task_publisher import handler as publisher
from task_publisher.publisher import EventPublisher
from task_updated import handler as updated
from tasks_local.runtime.pollers import QueuePoller, StreamPoller
from tasks_shared.adapters.memory import RecordingApprovals
from tasks_shared.domain.model import Caller
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService
from tests.integration.fakes import FlakyEvents
from tests.support.pipeline import InProcess, drain

OWNER = Caller("olivia")


@pytest.fixture
def committed_changes(tasks):
    """Twelve tasks, five renamed, three completed: 12 + 5 + 3 committed changes of olivia's."""
    service = TaskService(tasks, PageTokens(b"0123456789abcdef"), RecordingApprovals())
    created_tasks = [
        service.create(OWNER, {"title": f"task {i}", "priority": ("low", "medium")[i % 2]}) for i in range(12)
    ]
    for task in created_tasks[:5]:
        service.update(OWNER, task.id, {"title": f"{task.title}, renamed"})
    for task in created_tasks[5:8]:
        service.update(OWNER, task.id, {"status": "completed"})
    return created_tasks


def test_partial_put_events_failures_reach_each_consumer_exactly_once_in_effect(
    aws, resources, committed_changes, activity, created_deps, updated_deps, completed_deps
):
    # Given PutEvents that fails some entries: the first task's events on the first 6 attempts (more
    # than one invocation's 4, so the stream batch is retried from it, re-sending later records' events
    # as duplicates), every TaskCompleted on its first attempt, and one renamed task's events twice.
    failures = {committed_changes[0].id: 6, "TaskCompleted": 3, committed_changes[1].id: 2}
    flaky = FlakyEvents(boto3.client("events"), failures)
    events = EventPublisher(flaky, resources.bus_name, sleep=lambda _seconds: None)
    stop = threading.Event()
    stream = StreamPoller(
        InProcess("task-publisher", lambda event, context: publisher.handle(event, context, events)),
        {"batchSize": 100, "maximumRetryAttempts": 5, "startingPosition": "TRIM_HORIZON"},
        stop,
        os.environ["TASKS_TABLE"],
        resources.queues["publisher-failures"].url,
    )
    consumers = {
        "task-created": lambda event, context: created.handle(event, context, created_deps),
        "task-updated": lambda event, context: updated.handle(event, context, updated_deps),
        "task-completed": lambda event, context: completed.handle(event, context, completed_deps),
    }
    queues = [
        QueuePoller(
            InProcess(name, handler),
            {"batchSize": 10},
            stop,
            resources.queues[name].url,
            resources.queues[name].arn,
        )
        for name, handler in consumers.items()
    ]

    # When the stream and the queues are drained as Lambda's event source mappings would
    drain([stream, *queues])
    drain([stream, *queues])  # the completions' TTL writes are changes too (they publish nothing)

    # Then events were re-sent (the retries really happened) ...
    sent = Counter(task_id for call in flaky.calls for task_id in call)
    assert sent[committed_changes[0].id] > 2
    # ... but every change counted once: 12 created (6 low, 6 medium), 3 completed,
    stats = activity.stats(OWNER.user_id)
    assert (stats.created, stats.completed) == (12, 3)
    assert (stats.by_priority["low"], stats.by_priority["medium"]) == (6, 6)
    # ... one audit entry per change: created, plus renamed or completed,
    for index, task in enumerate(committed_changes):
        history = activity.history(task.id, limit=10).items
        assert len(history) == (2 if index < 8 else 1), task.title
    # ... one archived snapshot per completion, and nothing given up on.
    listing = boto3.client("s3").list_objects_v2(Bucket=resources.bucket, Prefix=f"tasks/{OWNER.user_id}/")
    assert listing["KeyCount"] == 3
    gave_up = boto3.client("sqs").receive_message(QueueUrl=resources.queues["publisher-failures"].url)
    assert "Messages" not in gave_up
