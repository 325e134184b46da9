"""The stream publisher's mapping: a tasks-table stream record -> the catalog's events (docs/design.md §4)."""

import json
from dataclasses import replace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from task_publisher.events import TRACKED_FIELDS, UnpublishableRecord, events_for
from task_publisher.publisher import MAX_REQUEST_BYTES, EventPublisher, RetryPolicy, entry_size
from tasks_shared import catalog
from tasks_shared.adapters.dynamodb.items import from_item, task_record, to_item
from tasks_shared.domain.approval import ApprovalStatus
from tasks_shared.domain.fields import APPROVED_WORK
from tasks_shared.domain.model import Caller, Task
from tests.support.samples import load_event

SAMPLES = ("insert", "modify", "modify-completed", "modify-expiry-set", "remove", "ttl-expired")
INTERNAL = {"updatedBy", "correlationId", "expiresAt", "approvalToken"}
APPROVAL_TOKEN = "AAAAKgAAAAIAAAAAAAAAAQ-secret-task-token"
LATER = "2026-01-03T09:00:00.000000Z"


def sample(name: str) -> dict[str, Any]:
    """The raw record of events/stream/<name>.json, safe to modify."""
    return load_event(f"stream/{name}")["Records"][0]


def record(raw: dict[str, Any]) -> DynamoDBRecord:
    return DynamoDBRecord(raw)


def with_token(raw: dict[str, Any]) -> dict[str, Any]:
    """The record as if the approval workflow had stored its task token on the item."""
    for image in ("NewImage", "OldImage"):
        if image in raw["dynamodb"]:
            raw["dynamodb"][image]["approvalToken"] = {"S": APPROVAL_TOKEN}
    return raw


def _image(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return from_item(raw["dynamodb"][name])


def modify(before: Task, after: Task) -> dict[str, Any]:
    """A MODIFY record (from the modify sample) whose images are two stored versions of a task."""
    raw = sample("modify")
    raw["dynamodb"]["OldImage"] = to_item(task_record(before))
    raw["dynamodb"]["NewImage"] = to_item(task_record(after))
    return raw


@pytest.fixture
def task() -> Task:
    caller = Caller("alice", correlation_id="req-create")
    return Task.new("task-1", "alice", {"title": "Write the tests"}, "2026-01-01T09:00:00.000000Z").stamped(
        caller
    )


# --- each kind of record -------------------------------------------------------------------------


def test_insert_publishes_task_created_with_the_public_task():
    # Given the stream record of a task's first write
    raw = sample("insert")
    # When it is mapped
    events = events_for(record(raw))
    # Then one TaskCreated carries the task as the API would return it
    assert [event.detail_type for event in events] == ["TaskCreated"]
    assert events[0].detail["task"] == Task.from_dict(_image(raw, "NewImage")).to_dict()


def test_created_metadata_names_the_writer_and_its_request():
    # Given the insert sample, written by alice in request sample-create-task at 21:46:40
    # When it is mapped
    metadata = events_for(record(sample("insert")))[0].detail["metadata"]
    # Then the envelope carries them, in the catalog's version
    assert (metadata["actor"], metadata["correlationId"], metadata["occurredAt"]) == (
        "alice",
        "sample-create-task",
        "2026-11-21T21:46:40.000000Z",
    )
    assert metadata["schemaVersion"] == catalog.SCHEMA_VERSION


def test_a_change_without_a_request_id_correlates_on_its_own_event_id(task):
    # Given a change written outside any API request (no correlationId stored)
    after = replace(
        task.with_changes({"title": "Renamed"}, "2026-01-02T09:00:00.000000Z", "alice"), correlation_id=None
    )
    # When it is mapped
    metadata = events_for(record(modify(task, after)))[0].detail["metadata"]
    # Then the event correlates on itself
    assert metadata["correlationId"] == metadata["eventId"]


def test_title_change_lists_the_change_and_its_previous_value():
    # Given the modify sample: the title changed (and with it updatedAt and version)
    # When it is mapped
    events = events_for(record(sample("modify")))
    # Then one TaskUpdated names only the title, with its old value
    assert [event.detail_type for event in events] == ["TaskUpdated"]
    assert events[0].detail["changes"] == ["title"]
    assert events[0].detail["previous"] == {"title": "Prepare the quarterly report"}


def test_a_field_that_had_no_value_has_a_null_previous_value(task):
    # Given a task that gets its first assignee
    after = task.with_changes({"assignee": "bob"}, "2026-01-02T09:00:00.000000Z", "alice")
    # When the change is mapped
    detail = events_for(record(modify(task, after)))[0].detail
    # Then the previous assignee is null
    assert detail["previous"] == {"assignee": None}


def test_raising_priority_to_high_lists_priority_and_approval(task):
    # Given a pending task raised to high priority, which makes it await approval
    after = task.with_changes({"priority": "high"}, "2026-01-02T09:00:00.000000Z", "alice")
    # When the change is mapped
    detail = events_for(record(modify(task, after)))[0].detail
    # Then both changes are listed, as the approval-on-raise rule expects
    assert detail["changes"] == ["priority", "approval"]
    assert detail["task"]["approval"] == {"status": "awaiting", "requestedAt": "2026-01-02T09:00:00.000000Z"}


def test_a_change_to_the_approved_work_says_which_fields_dismissed_the_approval(task):
    # Given an approved high-priority task whose title and assignee are changed
    high = task.with_changes({"priority": "high"}, "2026-01-02T09:00:00.000000Z", "alice")
    approved = replace(
        high, approval=replace(high.approval, status=ApprovalStatus.APPROVED, decided_by="carol")
    )
    after = approved.with_changes(
        {"title": "Drop the production database", "assignee": "bob"}, LATER, "alice"
    )
    # When the change is mapped
    detail = events_for(record(modify(approved, after)))[0].detail
    # Then the event carries the dismissal, the approval's previous value, and the new request
    assert detail["approvalDismissed"] == {"fields": ["title", "assignee"]}
    assert detail["changes"] == ["title", "assignee", "approval"]
    assert detail["previous"]["approval"]["status"] == "approved"
    assert detail["task"]["approval"] == {"status": "awaiting", "requestedAt": LATER}


def test_a_change_that_keeps_the_approval_says_nothing_of_a_dismissal(task):
    # Given an awaiting task whose due date and tags change
    high = task.with_changes({"priority": "high"}, "2026-01-02T09:00:00.000000Z", "alice")
    after = high.with_changes({"dueDate": "2030-01-31", "tags": ["ops"]}, LATER, "alice")
    # Then no dismissal is published, and no new request
    detail = events_for(record(modify(high, after)))[0].detail
    assert "approvalDismissed" not in detail
    assert "approval" not in detail["changes"]


def test_a_title_written_by_another_writer_that_leaves_the_approval_is_no_dismissal(task):
    # Given a script that rewrites the title of an awaiting task without touching its approval
    high = task.with_changes({"priority": "high"}, "2026-01-02T09:00:00.000000Z", "alice")
    after = replace(high, title="renamed by a migration", version=high.version + 1)
    # Then the event says what changed, and nothing about an approval it did not end
    detail = events_for(record(modify(high, after)))[0].detail
    assert (detail["changes"], "approvalDismissed" in detail) == (["title"], False)


def test_the_dismissal_names_exactly_the_approved_works_fields():
    # Given the TaskUpdated schema's list of fields that can dismiss an approval
    schema = catalog.documents()["TaskUpdated.json"]["properties"]["approvalDismissed"]
    # Then it is the field table's approved work, in its order
    assert schema["properties"]["fields"]["items"]["enum"] == [field.public for field in APPROVED_WORK]


def test_setting_only_an_internal_attribute_publishes_nothing():
    # Given the record of the retention TTL (expiresAt) being set on a completed task
    raw = sample("modify-expiry-set")
    # When it is mapped
    events = events_for(record(raw))
    # Then no event is published: no public field changed
    assert events == []


def test_a_new_version_with_the_same_public_fields_publishes_nothing(task):
    # Given a write that only moved updatedAt and version
    after = replace(task, updated_at="2026-01-02T09:00:00.000000Z", version=task.version + 1)
    # When it is mapped
    events = events_for(record(modify(task, after)))
    # Then nothing is published
    assert events == []


def test_completion_publishes_task_updated_then_task_completed():
    # Given the record of a task's status becoming completed
    # When it is mapped
    events = events_for(record(sample("modify-completed")))
    # Then the update comes first, then the completion
    assert [event.detail_type for event in events] == ["TaskUpdated", "TaskCompleted"]
    assert events[1].detail["task"]["completedAt"] == "2026-11-23T09:15:00.123456Z"


def test_editing_a_completed_task_does_not_complete_it_again(task):
    # Given a completed task whose title is then edited
    completed = task.with_changes({"status": "completed"}, "2026-01-02T09:00:00.000000Z", "alice")
    edited = completed.with_changes({"title": "Renamed"}, "2026-01-03T09:00:00.000000Z", "alice")
    # When the edit is mapped
    events = events_for(record(modify(completed, edited)))
    # Then only a TaskUpdated is published
    assert [event.detail_type for event in events] == ["TaskUpdated"]


def test_user_deletion_publishes_task_deleted_with_its_last_state():
    # Given the record of a task deleted through the API
    raw = sample("remove")
    # When it is mapped
    events = events_for(record(raw))
    # Then a TaskDeleted with reason "deleted" carries the old image's public task
    assert [event.detail_type for event in events] == ["TaskDeleted"]
    assert events[0].detail["reason"] == "deleted"
    assert events[0].detail["task"] == Task.from_dict(_image(raw, "OldImage")).to_dict()


def test_deletion_occurred_at_the_stream_records_time():
    # Given a deletion recorded at 1795336200 (epoch seconds, as Lambda delivers it)
    # When it is mapped
    metadata = events_for(record(sample("remove")))[0].detail["metadata"]
    # Then occurredAt is that instant in ISO 8601 UTC
    assert metadata["occurredAt"] == "2026-11-22T08:30:00.000000Z"


def test_deletion_is_not_attributed_to_the_tasks_last_editor():
    # Given a deletion whose old image still names the previous write's author and request
    # When it is mapped
    metadata = events_for(record(sample("remove")))[0].detail["metadata"]
    # Then neither is reported as the deletion's: who deleted is not on the stream
    assert "actor" not in metadata
    assert metadata["correlationId"] == metadata["eventId"]


def test_expiry_by_the_ttl_service_publishes_task_deleted_with_reason_expired():
    # Given the record of DynamoDB's TTL process removing an expired task
    # When it is mapped
    events = events_for(record(sample("ttl-expired")))
    # Then the deletion's reason is "expired"
    assert events[0].detail["reason"] == "expired"


def test_a_removal_by_another_service_principal_is_a_deletion():
    # Given a REMOVE made by some other service, not the TTL process
    raw = sample("ttl-expired")
    raw["userIdentity"] = {"type": "Service", "principalId": "backup.amazonaws.com"}
    # When it is mapped
    events = events_for(record(raw))
    # Then it is an ordinary deletion
    assert events[0].detail["reason"] == "deleted"


# --- what may leave, and how it is identified ------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_internal_attributes_never_reach_an_events_task(name):
    # Given a record whose images hold internal attributes, including a workflow's task token
    raw = with_token(sample(name))
    # When it is mapped
    tasks = [event.detail["task"] for event in events_for(record(raw))]
    # Then no task in a detail has any of them
    assert [sorted(INTERNAL & task.keys()) for task in tasks] == [[]] * len(tasks)


@pytest.mark.parametrize("name", SAMPLES)
def test_the_task_token_and_item_only_attributes_appear_nowhere_in_an_entry(name):
    # Given a record whose images hold the retention TTL and a workflow's task token
    raw = with_token(sample(name))
    # When it is mapped to PutEvents entries
    details = [event.entry("bus")["Detail"] for event in events_for(record(raw))]
    # Then neither they nor the author's attribute name are anywhere in what is sent
    forbidden = ("updatedBy", "expiresAt", "approvalToken", APPROVAL_TOKEN)
    assert [secret for text in details for secret in forbidden if secret in text] == []


@pytest.mark.parametrize("name", SAMPLES)
def test_every_detail_validates_against_the_catalog(name):
    # Given a sample record
    # When it is mapped
    events = events_for(record(sample(name)))
    # Then each detail satisfies its detail-type's schema
    assert [catalog.problems(event.detail_type, event.detail) for event in events] == [[]] * len(events)


def test_a_redelivered_record_yields_the_same_event_ids():
    # Given the same stream record delivered twice
    first, again = (
        events_for(record(sample("modify-completed"))),
        events_for(record(sample("modify-completed"))),
    )
    # When both are mapped
    # Then the eventIds are identical, so consumers deduplicate the redelivery
    assert [event.event_id for event in first] == [event.event_id for event in again]


def test_the_events_of_one_record_have_distinct_ids():
    # Given a completion, which publishes two events from one record
    # When it is mapped
    events = events_for(record(sample("modify-completed")))
    # Then their eventIds differ
    assert events[0].event_id != events[1].event_id


def test_another_record_with_the_same_content_gets_new_event_ids():
    # Given the same change recorded twice in the stream (two records, two eventIDs)
    raw = sample("modify")
    other = sample("modify") | {"eventID": "0123456789abcdef0123456789abcdef"}
    # When both are mapped
    # Then they are two events
    assert events_for(record(raw))[0].event_id != events_for(record(other))[0].event_id


def test_the_entry_is_our_source_on_the_configured_bus_with_compact_json():
    # Given the insert sample's event
    event = events_for(record(sample("insert")))[0]
    # When it becomes a PutEvents entry
    entry = event.entry("test-bus")
    # Then it names our source, its detail-type and the bus, and its detail is the compact JSON
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        catalog.SOURCE,
        "TaskCreated",
        "test-bus",
    )
    assert entry["Detail"] == json.dumps(event.detail, separators=(",", ":"))


def test_changes_are_tracked_over_exactly_the_catalogs_fields():
    # Given the TaskUpdated schema's list of fields a change may name
    schema = catalog.documents()["TaskUpdated.json"]
    # Then the publisher compares exactly those
    assert list(TRACKED_FIELDS) == schema["properties"]["changes"]["items"]["enum"]


@pytest.mark.parametrize(
    ("image", "attribute"), [("NewImage", "title"), ("NewImage", "approval"), ("OldImage", "ownerId")]
)
def test_a_record_whose_image_is_not_a_task_is_unpublishable(image, attribute):
    # Given a record whose image lacks a required task attribute
    raw = sample("modify")
    del raw["dynamodb"][image][attribute]
    # When it is mapped
    # Then it is refused, not published half-formed
    with pytest.raises(UnpublishableRecord):
        events_for(record(raw))


def test_a_user_with_the_longest_subject_oidc_allows_gets_valid_events(task):
    """Every user the API accepts must be able to produce events that consumers accept."""
    longest = "u" * 255
    owned = replace(task, owner_id=longest, assignee=longest, updated_by=longest)
    [event] = events_for(record(modify(owned, replace(owned, title="renamed"))))
    assert catalog.problems(event.detail_type, event.detail) == []
    assert event.detail["metadata"]["actor"] == longest


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("title", {"N": "42"}), ("tags", {"L": [{"N": "1"}]}), ("assignee", {"S": ""})],
    ids=["number-title", "number-tag", "empty-assignee"],
)
def test_an_item_no_consumer_could_accept_is_unpublishable_not_a_crash(attribute, value):
    # Given an item written around the API (by hand, a migration) with a value the catalog forbids
    raw = sample("modify")
    raw["dynamodb"]["NewImage"][attribute] = value
    # When it is mapped
    # Then it is refused with the catalog's reason, so the publisher reports it and carries on
    with pytest.raises(UnpublishableRecord, match="breaks the catalog"):
        events_for(record(raw))


# --- sending: retry pacing and request limits, on a fake client ------------------------------------


class RecordingEvents:
    """An events client that accepts everything and remembers each call's entries."""

    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "e"} for _ in Entries]}


def test_backoff_doubles_from_200_ms_and_stops_at_the_cap():
    # Given the default policy and the largest jitter
    policy = RetryPolicy()
    # When the delays of successive retries are computed
    delays = [policy.delay(retry, lambda _low, high: high) for retry in range(1, 7)]
    # Then they double, up to two seconds
    assert delays == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_large_entries_are_split_to_keep_each_call_under_256_kib(task):
    # Given 9 description rewrites of about 2 x 16 KiB each (4000 four-byte characters, old and new)
    old, new = "\U0001f4dd" * 4000, "\U0001f5d2" * 4000
    records = []
    for number in range(9):
        before = replace(task, id=f"task-{number}", description=old)
        raw = modify(
            before, before.with_changes({"description": new}, "2026-01-02T09:00:00.000000Z", "alice")
        )
        raw["eventID"], raw["dynamodb"]["SequenceNumber"] = f"{number:032x}", str(100 + number)
        records.append(record(raw))
    client = RecordingEvents()
    # When they are published
    EventPublisher(client, "bus").publish(records)
    # Then every entry is sent, in calls of fewer than 10 entries that each stay under 256 KiB
    sizes = [sum(entry_size(entry) for entry in call) for call in client.calls]
    assert ([len(call) for call in client.calls], max(sizes) <= MAX_REQUEST_BYTES) == ([8, 1], True)
