"""What a consumer accepts as a task event (tasks_shared.domain.events), and the reason it gives, in the
dead-letter queue's message attributes and its log line, for one it refuses."""

import json

import pytest

from tasks_shared import catalog
from tasks_shared.domain.approval import ApprovalStatus
from tasks_shared.domain.events import RejectedEvent, parse_event
from tests.support.samples import load_event


def _body(sample: str = "TaskCreated") -> dict:
    return load_event(f"samples/eventbridge/{sample}")


def _rejected(body: str, accepts: str = "TaskCreated") -> str:
    with pytest.raises(RejectedEvent) as rejected:
        parse_event(body, accepts)
    return rejected.value.reason


def test_an_event_carries_its_task_its_envelope_and_who_published_it():
    event = parse_event(json.dumps(_body()), "TaskCreated")

    assert (event.detail_type, event.source, event.event_id, event.actor) == (
        "TaskCreated",
        "tasks.service",
        "ad124865-ab68-432a-8971-bdf5df6f8729",
        "alice",
    )
    assert (event.task.title, event.changes, event.previous, event.approval_dismissed) == (
        "Prepare the quarterly report",
        (),
        {},
        (),
    )


def test_an_update_carries_what_changed_what_it_was_and_what_it_dismissed():
    body = _body("TaskUpdated")
    body["detail"] |= {
        "changes": ["title", "approval"],
        "previous": {"title": "Old", "approval": {"status": "approved"}},
        "approvalDismissed": {"fields": ["title"]},
    }
    body["detail"]["task"]["approval"] = {"status": "awaiting", "requestedAt": "2026-11-22T09:00:00.000000Z"}

    event = parse_event(json.dumps(body), "TaskUpdated")

    assert (event.changes, event.previous, event.approval_dismissed) == (
        ("title", "approval"),
        {"title": "Old", "approval": {"status": "approved"}},
        ("title",),
    )
    assert event.task.approval.status is ApprovalStatus.AWAITING


def test_an_event_without_a_source_is_from_no_one_named():
    body = _body()
    del body["source"]
    assert parse_event(json.dumps(body), "TaskCreated").source == ""


def test_an_event_number_is_read_exactly_as_written_so_a_version_of_1_0_is_no_integer():
    """Numbers are read as Decimal (what DynamoDB takes, never float), so `1.0` stays a fraction as
    written and the catalog's integer version refuses it."""
    body = json.dumps(_body()).replace('"version": 1', '"version": 1.0')
    assert "task.version: Decimal('1.0') is not of type 'integer'" in _rejected(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "the body is not JSON"),
        ("[1, 2]", "the body is not an EventBridge event (no detail)"),
        ('{"detail-type": "TaskCreated"}', "the body is not an EventBridge event (no detail)"),
        ('"detail"', "the body is not an EventBridge event (no detail)"),
    ],
    ids=["not-json", "a-list", "no-detail", "a-string"],
)
def test_a_body_that_is_no_eventbridge_event_is_rejected_saying_so(body, reason):
    assert _rejected(body) == reason


def test_an_event_of_another_detail_type_is_rejected_naming_both():
    assert _rejected(json.dumps(_body("TaskUpdated"))) == "detail-type 'TaskUpdated' is not TaskCreated"


def test_an_event_breaking_the_catalog_is_rejected_with_each_problem_in_turn():
    body = _body()
    del body["detail"]["metadata"]["eventId"], body["detail"]["task"]["title"]

    reason = _rejected(json.dumps(body))

    problems = catalog.problems("TaskCreated", body["detail"])
    assert len(problems) == 2
    assert reason == "the detail breaks the catalog schema: " + "; ".join(problems)
    assert "eventId" in problems[0] + problems[1]
    assert "title" in problems[0] + problems[1]
