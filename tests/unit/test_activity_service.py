"""ActivityService on in-memory fakes: GET /stats is the caller's own counters, GET /tasks/{id}/history
is the task's audit trail for whoever may read the task, paged like every list."""

import pytest

from tasks_shared.adapters.memory import InMemoryActivity
from tasks_shared.domain.activity import HistoryEntry
from tasks_shared.domain.errors import InvalidPageToken, TaskNotFound
from tasks_shared.usecases.activity import ActivityService


@pytest.fixture
def activity() -> InMemoryActivity:
    return InMemoryActivity()


@pytest.fixture
def activity_service(activity, service, page_tokens) -> ActivityService:
    return ActivityService(activity, service, page_tokens)


@pytest.fixture
def task(service, owner):
    return service.create(owner, {"title": "Audit me", "assignee": "bob"})


def _entry(task_id: str, number: int) -> HistoryEntry:
    return HistoryEntry(
        task_id, "updated", "alice", "tasks.service", f"2024-05-01T09:00:{number:02d}Z", f"e{number}"
    )


@pytest.fixture
def five_entries(activity, task) -> list[str]:
    """Five entries of the task's trail, one second apart; their event ids, newest first."""
    activity.record_once("e0", "task-updated", history=[_entry(task.id, n) for n in range(5)])
    return [f"e{n}" for n in reversed(range(5))]


def _trail(activity_service, caller, task_id, limit) -> list[list[str]]:
    """Every page of the trail, as a client reads it: at most ten, so a next token that never ends fails
    the test rather than hanging it."""
    pages, token = [], None
    for _ in range(10):
        page = activity_service.history(caller, task_id, limit, token)
        pages.append([entry.event_id for entry in page.items])
        if (token := page.next) is None:
            return pages
    pytest.fail(f"still a next page after {pages}")


def test_the_stats_are_the_callers_own(activity_service, activity, owner):
    activity.record_once("e1", "task-created", owner_id="alice", counts={"created": 1, "createdHigh": 1})
    activity.record_once("e2", "task-created", owner_id="bob", counts={"created": 1, "createdLow": 1})

    stats = activity_service.stats(owner)

    assert (stats.owner_id, stats.created, stats.by_priority["high"], stats.by_priority["low"]) == (
        "alice",
        1,
        1,
        0,
    )


@pytest.mark.parametrize("who", ["owner", "assignee", "admin"])
def test_whoever_may_read_the_task_pages_through_its_trail_newest_first(
    activity_service, task, five_entries, who, request
):
    pages = _trail(activity_service, request.getfixturevalue(who), task.id, limit=2)
    assert pages == [five_entries[:2], five_entries[2:4], five_entries[4:]]


def test_a_stranger_cannot_tell_the_trail_exists(activity_service, task, five_entries, stranger):
    with pytest.raises(TaskNotFound):
        activity_service.history(stranger, task.id)


def test_the_trail_of_a_missing_task_is_not_found(activity_service, owner):
    with pytest.raises(TaskNotFound):
        activity_service.history(owner, "no-such-task")


def test_a_trail_page_holds_20_entries_unless_asked_otherwise(activity_service, activity, task, owner):
    activity.record_once("e", "task-updated", history=[_entry(task.id, n) for n in range(25)])
    assert len(activity_service.history(owner, task.id).items) == 20


def test_a_trail_token_holds_only_for_the_caller_who_got_it(
    activity_service, task, five_entries, owner, admin
):
    token = activity_service.history(owner, task.id, 2).next
    with pytest.raises(InvalidPageToken):
        activity_service.history(admin, task.id, 2, token)


def test_a_trail_token_holds_only_for_its_task(activity_service, service, task, five_entries, owner):
    other = service.create(owner, {"title": "Another"})
    token = activity_service.history(owner, task.id, 2).next
    with pytest.raises(InvalidPageToken):
        activity_service.history(owner, other.id, 2, token)


def test_a_signed_cursor_that_points_outside_the_trail_is_refused(activity_service, page_tokens, task, owner):
    """Even signed for this very caller and task: the storage reads only audit-trail cursors."""
    forged = page_tokens.encode({"sk": "STATS"}, f"history|alice|{task.id}")
    with pytest.raises(InvalidPageToken):
        activity_service.history(owner, task.id, 2, forged)
