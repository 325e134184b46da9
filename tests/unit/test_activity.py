"""What the consumers derive from events, without AWS: history entries, counters, cycle time, retention."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from task_completed.completion import cycle_time_seconds, expiry, set_expiry
from tasks_shared.adapters.dynamodb.activity import history_item, stats_from_item
from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.config import read_env
from tasks_shared.domain.activity import (
    EventMarker,
    HistoryEntry,
    OwnerStats,
    completed_counts,
    created_counts,
    plain_number,
    receipt,
)
from tasks_shared.domain.events import RejectedEvent, TaskEvent, parse_event
from tasks_shared.domain.model import Status
from tests.support.samples import load_event

DAY = 86400


def detail(sample: str) -> dict:
    return load_event(f"samples/eventbridge/{sample}")["detail"]


def event(data: dict, detail_type: str) -> TaskEvent:
    """The typed event a consumer receives for this detail, checked against the catalog."""
    return parse_event(
        json.dumps({"detail-type": detail_type, "source": "tasks.service", "detail": data}), detail_type
    )


# --- history entries --------------------------------------------------------------------------------


def test_created_entry_lists_the_fields_the_task_started_with():
    entry = HistoryEntry.created(event(detail("TaskCreated"), "TaskCreated"))

    assert (entry.type, entry.actor) == ("created", "alice")
    assert [change.to_dict() for change in entry.changes] == [
        {"field": "title", "previous": None, "current": "Prepare the quarterly report"},
        {"field": "description", "previous": None, "current": "Numbers from finance"},
        {"field": "priority", "previous": None, "current": "medium"},
        {"field": "status", "previous": None, "current": "pending"},
        {"field": "assignee", "previous": None, "current": "bob"},
        {"field": "dueDate", "previous": None, "current": "2026-12-15"},
        {"field": "tags", "previous": None, "current": ["finance", "q4"]},
    ]


def test_created_entry_leaves_out_empty_fields():
    data = detail("TaskCreated")
    data["task"] |= {"description": "", "tags": []}

    fields = {change.field for change in HistoryEntry.created(event(data, "TaskCreated")).changes}

    assert not fields & {"description", "tags"}


def test_updated_entry_pairs_each_changed_field_with_its_previous_value():
    entry = HistoryEntry.updated(event(detail("TaskUpdated"), "TaskUpdated"))

    assert [change.to_dict() for change in entry.changes] == [
        {"field": "title", "previous": "Prepare the quarterly report", "current": "Prepare the Q4 report"},
        {"field": "status", "previous": "pending", "current": "in_progress"},
    ]


def test_an_entry_says_what_happened_who_did_it_where_it_came_from_and_when():
    """The API's representation of an entry (schemas/history.json), every field of it."""
    update = event(detail("TaskUpdated"), "TaskUpdated")
    entry = HistoryEntry.updated(update).to_dict()

    assert {key: value for key, value in entry.items() if key != "changes"} == {
        "type": "updated",
        "actor": update.actor,
        "source": "tasks.service",
        "occurredAt": update.metadata["occurredAt"],
        "eventId": update.event_id,
    }
    assert [change["field"] for change in entry["changes"]] == ["title", "status"]


def test_an_entry_from_another_publisher_names_that_publisher():
    data = detail("TaskUpdated")
    update = parse_event(
        json.dumps({"detail-type": "TaskUpdated", "source": "billing", "detail": data}), "TaskUpdated"
    )
    assert HistoryEntry.updated(update).to_dict()["source"] == "billing"


def test_an_approval_dismissed_by_several_fields_names_each_of_them():
    data = detail("TaskUpdated")
    data["changes"] = ["title", "assignee", "approval"]
    data["previous"] = {"title": "Old", "assignee": "bob", "approval": {"status": "approved"}}
    data["task"]["approval"] = {"status": "awaiting", "requestedAt": data["task"]["updatedAt"]}
    data["approvalDismissed"] = {"fields": ["title", "assignee"]}

    entry = HistoryEntry.approval_dismissed(event(data, "TaskUpdated"))

    assert entry.reason == "approval dismissed: title and assignee changed"


def test_a_dismissed_approval_is_an_entry_of_its_own_saying_why():
    data = detail("TaskUpdated")
    data["changes"] = ["title", "approval"]
    data["previous"] = {
        "title": "Rotate staging keys",
        "approval": {"status": "approved", "decidedBy": "victor", "decidedAt": "2026-01-02T09:00:00.000000Z"},
    }
    data["task"]["approval"] = {"status": "awaiting", "requestedAt": data["task"]["updatedAt"]}
    data["approvalDismissed"] = {"fields": ["title"]}
    update = event(data, "TaskUpdated")

    entry = HistoryEntry.approval_dismissed(update)

    assert (entry.type, entry.reason, entry.event_id) == (
        "approvalDismissed",
        "approval dismissed: title changed",
        update.event_id,
    )
    assert [change.to_dict() for change in entry.changes] == [
        {"field": "approval", "previous": data["previous"]["approval"], "current": data["task"]["approval"]}
    ]
    assert entry.to_dict()["reason"] == "approval dismissed: title changed"
    assert entry.sort_key > HistoryEntry.updated(update).sort_key  # newest first: the consequence first


def test_an_update_that_dismisses_nothing_has_no_dismissal_entry():
    update = event(detail("TaskUpdated"), "TaskUpdated")
    assert HistoryEntry.approval_dismissed(update) is None
    assert "reason" not in HistoryEntry.updated(update).to_dict()


def _approval_update(previous: dict | None, dismissed: list[str] | None = None) -> TaskEvent:
    """A TaskUpdated whose approval now awaits a request made at the update, having been `previous`."""
    data = detail("TaskUpdated")
    data["changes"] = ["approval"]
    data["previous"] = {"approval": previous} if previous is not None else {}
    data["task"]["approval"] = {"status": "awaiting", "requestedAt": data["task"]["updatedAt"]}
    if dismissed:
        data["changes"] = [*dismissed, "approval"]
        data["previous"] |= dict.fromkeys(dismissed, "old")
        data["approvalDismissed"] = {"fields": dismissed}
    return event(data, "TaskUpdated")


def test_a_request_that_awaited_and_awaits_again_for_the_same_work_was_re_opened():
    update = _approval_update({"status": "awaiting", "requestedAt": "2026-01-01T09:00:00.000000Z"})
    assert HistoryEntry.updated(update).reason == "approval request re-opened"


@pytest.mark.parametrize(
    "previous",
    [None, {"status": "not_required"}, {"status": "withdrawn"}, {"status": "approved"}],
    ids=["no-approval-before", "not-required", "withdrawn", "approved"],
)
def test_a_first_request_or_one_asked_again_after_an_end_is_no_re_opening(previous):
    assert HistoryEntry.updated(_approval_update(previous)).reason is None


def test_a_request_asked_again_because_the_work_changed_is_a_dismissal_not_a_re_opening():
    update = _approval_update({"status": "awaiting", "requestedAt": "2026-01-01T09:00:00.000000Z"}, ["title"])
    assert HistoryEntry.updated(update).reason is None


def test_an_update_that_leaves_the_approval_alone_is_no_re_opening_even_while_it_awaits():
    data = detail("TaskUpdated")
    data["changes"] = ["dueDate"]
    data["previous"] = {"dueDate": None, "approval": {"status": "awaiting"}}
    data["task"]["approval"] = {"status": "awaiting", "requestedAt": data["task"]["updatedAt"]}
    assert HistoryEntry.updated(event(data, "TaskUpdated")).reason is None


def test_the_receipt_of_an_event_is_its_first_audit_entry():
    update = event(detail("TaskUpdated"), "TaskUpdated")
    first, second = HistoryEntry.updated(update), HistoryEntry.created(update)
    assert receipt(update.event_id, "task-updated", (first, second)) is first


def test_the_receipt_of_an_event_with_no_audit_entry_is_a_marker_of_the_event_and_its_consumer():
    assert receipt("event-1", "task-completed", ()) == EventMarker("event-1", "task-completed")


def test_a_field_cleared_by_an_update_is_null_after_it():
    data = detail("TaskUpdated")
    data["changes"], data["previous"] = ["assignee"], {"assignee": "bob"}
    del data["task"]["assignee"]

    [change] = HistoryEntry.updated(event(data, "TaskUpdated")).changes

    assert (change.previous, change.current) == ("bob", None)


def test_history_entry_without_an_actor_says_null():
    data = detail("TaskUpdated")
    del data["metadata"]["actor"]

    assert HistoryEntry.updated(event(data, "TaskUpdated")).to_dict()["actor"] is None


def test_history_entries_of_one_task_sort_by_time_in_their_keys():
    early, late = detail("TaskUpdated"), detail("TaskUpdated")
    late["metadata"]["occurredAt"] = "2026-11-23T00:00:00Z"

    keys = [history_item(HistoryEntry.updated(event(data, "TaskUpdated")))["sk"] for data in (late, early)]

    assert sorted(keys) == list(reversed(keys))


# --- counters ---------------------------------------------------------------------------------------


def test_a_created_task_counts_in_all_and_in_its_priority():
    assert created_counts("high") == {"created": 1, "createdHigh": 1}


def test_an_unknown_priority_is_not_counted():
    with pytest.raises(ValueError, match="urgent"):
        created_counts("urgent")


def test_a_completed_task_counts_once_with_its_cycle_time_to_the_millisecond():
    assert completed_counts(90.12345) == {"completed": 1, "cycleTimeSecondsTotal": Decimal("90.123")}


def test_stats_of_an_owner_without_activity_are_zeros_with_no_average():
    stats = stats_from_item("alice", {}).to_dict()

    assert stats["cycleTime"] == {"averageSeconds": None, "totalSeconds": 0}
    assert stats["byPriority"] == {"low": 0, "medium": 0, "high": 0}


def test_stats_are_shown_as_the_api_promises():
    """The API's representation (schemas/stats.json), every field of it."""
    stats = OwnerStats("alice", created=4, by_priority={"high": 3}, completed=3, cycle_time_seconds_total=10)

    assert stats.to_dict() == {
        "ownerId": "alice",
        "created": 4,
        "byPriority": {"low": 0, "medium": 0, "high": 3},
        "completed": 3,
        "cycleTime": {"averageSeconds": 3.333, "totalSeconds": 10},
    }


def test_average_cycle_time_is_the_total_over_the_completed_tasks():
    item = {"completed": Decimal(2), "cycleTimeSecondsTotal": Decimal("7.000")}

    assert stats_from_item("alice", item).to_dict()["cycleTime"] == {
        "averageSeconds": 3.5,
        "totalSeconds": 7,
    }


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (Decimal(7), 7),
        (Decimal("7.000"), 7),
        (Decimal("2.5"), 2.5),
        ([Decimal(1), Decimal("0.5")], [1, 0.5]),
        ({"a": Decimal(3), "b": {"c": Decimal("1.25")}}, {"a": 3, "b": {"c": 1.25}}),
        ("text", "text"),
    ],
    ids=["integer", "integer-with-zeros", "fraction", "in-a-list", "in-a-map", "not-a-number"],
)
def test_stored_numbers_are_shown_as_json_numbers(stored, shown):
    """DynamoDB hands numbers back as Decimal: whole ones are shown as integers, others as floats, at
    any depth."""
    plain = plain_number(stored)
    assert plain == shown
    assert type(plain) is type(shown)
    if isinstance(shown, list | dict):
        assert [type(value) for value in _leaves(plain)] == [type(value) for value in _leaves(shown)]


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


# --- cycle time and retention -----------------------------------------------------------------------


def test_cycle_time_is_the_seconds_from_creation_to_completion(make_task):
    task = replace(
        make_task(), created_at="2026-11-21T10:00:00.000000Z", completed_at="2026-11-21T10:01:30.500000Z"
    )

    assert cycle_time_seconds(task) == 90.5


def test_a_completion_before_the_creation_is_rejected(make_task):
    task = replace(make_task(), created_at="2026-11-21T10:00:00Z", completed_at="2026-11-20T10:00:00Z")

    with pytest.raises(RejectedEvent, match="precedes"):
        cycle_time_seconds(task)


def test_expiry_is_the_completion_plus_the_retention_days():
    completed_at = datetime(2026, 11, 21, tzinfo=UTC)

    assert expiry("2026-11-21T00:00:00.000000Z", 30) == int(completed_at.timestamp()) + 30 * DAY


@pytest.fixture
def completed(repository, make_task):
    task = replace(make_task(), status=Status.COMPLETED, completed_at="2024-05-02T09:00:00.000000Z")
    repository.create(task)
    return task


def test_a_completed_task_gets_its_expiry_and_keeps_its_version_so_etags_stay_valid(repository, completed):
    expires_at = set_expiry(repository, completed.id, 7)

    stored = repository.get(completed.id)
    assert (stored.expires_at, stored.version) == (expires_at, completed.version)
    assert stored.updated_at == completed.updated_at


def test_a_task_that_already_expires_is_left_alone(repository, completed):
    first = set_expiry(repository, completed.id, 7)

    assert set_expiry(repository, completed.id, 30) is None
    assert repository.get(completed.id).expires_at == first


def test_a_task_that_is_not_completed_gets_no_expiry(repository, make_task):
    task = make_task()
    repository.create(task)

    assert set_expiry(repository, task.id, 7) is None


def test_a_task_we_do_not_hold_gets_no_expiry(repository):
    assert set_expiry(repository, "elsewhere", 7) is None


def test_the_expiry_stays_out_of_the_public_representation(completed):
    with_expiry = replace(completed, expires_at=123)

    assert "expiresAt" not in with_expiry.to_dict()
    assert task_record(with_expiry)["expiresAt"] == 123


def test_a_stored_record_keeps_its_expiry():
    record = {**detail("TaskCompleted")["task"], "expiresAt": Decimal(5)}  # DynamoDB numbers are Decimal

    assert task_from_record(record).expires_at == 5


# --- reading an event ---------------------------------------------------------------------------------


def test_an_event_of_another_publisher_that_meets_the_schema_is_accepted():
    body = json.dumps(load_event("samples/eventbridge/external-TaskCreated"))

    assert parse_event(body, "TaskCreated").detail_type == "TaskCreated"


def test_an_event_breaking_the_schema_is_rejected_with_every_problem():
    body = json.dumps(load_event("samples/eventbridge/invalid-TaskCreated"))

    with pytest.raises(RejectedEvent) as rejected:
        parse_event(body, "TaskCreated")

    assert "metadata" in rejected.value.reason
    assert "task" in rejected.value.reason


def test_missing_configuration_is_named_all_at_once():
    with pytest.raises(RuntimeError, match="A, C"):
        read_env("A", "B", "C", environ={"B": "set"})
