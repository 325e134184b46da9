"""The consumers' logic on in-memory fakes (no AWS): what one event records, notifies and dead-letters."""

import json

import pytest

from task_created import handler as created
from task_updated import handler as updated
from tasks_shared.adapters.memory import InMemoryActivity, RecordingDeadLetters, RecordingNotifier
from tasks_shared.usecases.consumer import NotifyingDependencies
from tests.support.samples import load_event


@pytest.fixture
def deps() -> NotifyingDependencies:
    return NotifyingDependencies(InMemoryActivity(), RecordingNotifier(), RecordingDeadLetters())


def batch(name: str, **detail_changes) -> dict:
    event = load_event(f"samples/sqs/{name}")
    body = json.loads(event["Records"][0]["body"])
    body["detail"] |= detail_changes
    event["Records"][0]["body"] = json.dumps(body)
    return event


def test_a_created_task_is_counted_once_recorded_and_its_assignee_told(deps):
    event = batch("task-created")

    created.handle(event, None, deps)
    created.handle(event, None, deps)  # delivered again

    [task] = deps.notifier.notified
    assert deps.activity.stats(task.owner_id).created == 1
    assert [entry.type for entry in deps.activity.entries[task.id]] == ["created"]
    assert task.assignee == "bob"


def test_an_update_is_one_history_entry_naming_each_changed_field(deps):
    updated.handle(batch("task-updated"), None, deps)

    [entries] = deps.activity.entries.values()
    assert [[change.field for change in entry.changes] for entry in entries] == [["title", "status"]]
    assert deps.notifier.notified == []  # the assignee did not change


def test_an_event_breaking_the_catalog_goes_to_the_dead_letters_with_its_reason(deps):
    response = created.handle(batch("task-created", metadata={}), None, deps)

    [(_, reason, consumer)] = deps.dead_letters.sent
    assert response == {"batchItemFailures": []}
    assert (consumer, "eventId" in reason) == ("task-created", True)
