"""TaskService on the in-memory repository: authorization, If-Match, concurrency, listing."""

from dataclasses import replace

import pytest

from tasks_shared.adapters.memory import InMemoryTaskRepository
from tasks_shared.domain.errors import (
    InvalidPageToken,
    InvalidTransition,
    NotAllowed,
    PreconditionFailed,
    TaskNotFound,
    VersionConflict,
)
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Task
from tasks_shared.usecases.ports import StoredTask


class RacingRepository(InMemoryTaskRepository):
    """Another writer commits between the service's read and its write: every write conflicts."""

    def replace(self, previous: Task, current: Task) -> None:
        self._commit_another_version(current.id)

    def delete(self, stored: StoredTask) -> None:
        self._commit_another_version(stored.task.id)

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        self._commit_another_version(current.id)

    def _commit_another_version(self, task_id: str) -> None:
        task = self.tasks[task_id]
        self.tasks[task_id] = replace(task, version=task.version + 1)
        raise VersionConflict(f"task {task_id} changed since it was read")


@pytest.fixture
def task(service, owner) -> Task:
    """Alice's task, assigned to bob."""
    return service.create(owner, {"title": "Ship it", "assignee": "bob"})


@pytest.fixture
def awaiting(service, owner) -> Task:
    return service.create(owner, {"title": "Big one", "priority": "high"})


@pytest.fixture
def racing(make_service, owner):
    """A service whose repository holds alice's task and loses every write race."""
    repository = RacingRepository()
    service = make_service(repository)
    return service, service.create(owner, {"title": "Contended"})


# --- create -------------------------------------------------------------------------------------


def test_created_task_is_owned_by_the_caller(task):
    assert task.owner_id == "alice"


def test_created_task_takes_its_id_from_the_injected_generator(task):
    assert task.id == "task-0001"


def test_created_task_takes_its_times_from_the_injected_clock(task, clock):
    assert (task.created_at, task.updated_at) == (clock(), clock())


def test_created_task_is_stored(task, repository):
    assert repository.get(task.id) == task


def test_created_task_records_who_created_it_and_the_request(task, repository):
    stored = repository.get(task.id)
    assert (stored.updated_by, stored.correlation_id) == ("alice", "req-alice")


# --- get ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "assignee", "admin"])
def test_owner_assignee_and_admin_get_the_task(service, task, who, request):
    assert service.get(request.getfixturevalue(who), task.id) == task


def test_stranger_cannot_tell_the_task_exists(service, task, stranger):
    with pytest.raises(TaskNotFound):
        service.get(stranger, task.id)


def test_getting_a_missing_task_fails_with_not_found(service, owner):
    with pytest.raises(TaskNotFound, match="task no-such-task not found"):
        service.get(owner, "no-such-task")


def test_approver_gets_a_task_awaiting_approval(service, awaiting, approver):
    assert service.get(approver, awaiting.id) == awaiting


def test_approver_cannot_get_a_task_that_needs_no_approval(service, task, approver):
    with pytest.raises(TaskNotFound):
        service.get(approver, task.id)


# --- update -------------------------------------------------------------------------------------


def test_owner_update_is_stored(service, task, owner, repository):
    service.update(owner, task.id, {"title": "Ship it today"})
    assert repository.get(task.id).title == "Ship it today"


def test_update_bumps_the_stored_version(service, task, owner, repository):
    service.update(owner, task.id, {"title": "Ship it today"})
    assert repository.get(task.id).version == 2


def test_update_takes_its_time_from_the_clock(service, task, owner, clock):
    clock.advance(60)
    assert service.update(owner, task.id, {"title": "Ship it today"}).updated_at == clock()


def test_update_records_the_editor_and_the_request(service, task, admin):
    updated = service.update(admin, task.id, {"priority": "low"})
    assert (updated.updated_by, updated.correlation_id) == ("root", "req-root")


def test_assignee_may_change_the_status(service, task, assignee):
    assert service.update(assignee, task.id, {"status": "in_progress"}).status == "in_progress"


def test_assignee_may_not_change_anything_but_the_status(service, task, assignee):
    with pytest.raises(NotAllowed, match="the assignee may change its status"):
        service.update(assignee, task.id, {"status": "in_progress", "title": "Mine now"})


def test_approver_who_sees_a_task_may_not_edit_it(service, awaiting, approver):
    with pytest.raises(NotAllowed):
        service.update(approver, awaiting.id, {"status": "cancelled"})


def test_stranger_update_looks_like_a_missing_task(service, task, stranger):
    with pytest.raises(TaskNotFound):
        service.update(stranger, task.id, {"title": "hijacked"})


def test_update_with_the_current_version_in_if_match_succeeds(service, task, owner):
    assert service.update(owner, task.id, {"title": "v2"}, if_match={1}).version == 2


def test_update_with_a_stale_if_match_fails_the_precondition(service, task, owner):
    service.update(owner, task.id, {"title": "v2"})
    with pytest.raises(PreconditionFailed):
        service.update(owner, task.id, {"title": "v3"}, if_match={1})


@pytest.mark.parametrize(
    ("if_match", "asked"),
    [({1, 3}, '"1", "3"'), (set(), "no version we issue")],
    ids=["stale", "none-of-ours"],
)
def test_a_stale_if_match_hears_the_current_etag_and_what_it_asked_for(service, task, owner, if_match, asked):
    service.update(owner, task.id, {"title": "v2"})
    with pytest.raises(PreconditionFailed) as refused:
        service.update(owner, task.id, {"title": "v3"}, if_match=if_match)
    assert refused.value.message == f'task {task.id} has changed: its ETag is "2", If-Match asked for {asked}'


def test_update_with_a_stale_if_match_leaves_the_task_unchanged(service, task, owner, repository):
    with pytest.raises(PreconditionFailed):
        service.update(owner, task.id, {"title": "v2"}, if_match={7})
    assert repository.get(task.id) == task


def test_update_to_the_current_values_writes_nothing(service, task, owner, repository):
    service.update(owner, task.id, {"title": "Ship it"})
    assert repository.get(task.id) is task


def test_update_breaking_a_status_rule_is_an_invalid_transition(service, awaiting, owner):
    with pytest.raises(InvalidTransition):
        service.update(owner, awaiting.id, {"status": "completed"})


def test_update_breaking_a_status_rule_stores_nothing(service, awaiting, owner, repository):
    with pytest.raises(InvalidTransition):
        service.update(owner, awaiting.id, {"title": "done", "status": "completed"})
    assert repository.get(awaiting.id) == awaiting


def test_update_losing_a_race_without_if_match_is_a_version_conflict(racing, owner):
    service, task = racing
    with pytest.raises(VersionConflict):
        service.update(owner, task.id, {"title": "mine"})


def test_update_losing_a_race_with_if_match_fails_the_precondition(racing, owner):
    service, task = racing
    with pytest.raises(PreconditionFailed, match="the task changed after the version in If-Match"):
        service.update(owner, task.id, {"title": "mine"}, if_match={task.version})


@pytest.fixture
def racing_awaiting(make_service, owner):
    """A service whose repository holds alice's high-priority task, awaiting approval, and loses every
    write race."""
    service = make_service(RacingRepository())
    return service, service.create(owner, {"title": "Contended", "priority": "high"})


@pytest.mark.parametrize("changes", [{"priority": "low"}, {"status": "cancelled"}], ids=["lower", "cancel"])
def test_a_withdrawing_update_under_if_match_that_loses_a_version_race_fails_the_precondition(
    racing_awaiting, owner, changes
):
    """Lowering or cancelling an awaiting task under If-Match, when another writer commits first: 412,
    as for any write under If-Match, not 409 (issue 21)."""
    service, task = racing_awaiting
    with pytest.raises(PreconditionFailed):
        service.update(owner, task.id, changes, if_match={task.version})


def test_a_withdrawing_update_without_if_match_that_loses_a_version_race_is_a_conflict(
    racing_awaiting, owner
):
    service, task = racing_awaiting
    with pytest.raises(VersionConflict):
        service.update(owner, task.id, {"priority": "low"})


# --- delete -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owner_or_admin_deletes_the_task(service, task, repository, who, request):
    service.delete(request.getfixturevalue(who), task.id)
    assert repository.get(task.id) is None


def test_assignee_may_not_delete_the_task(service, task, assignee):
    with pytest.raises(NotAllowed, match="only the owner or an admin may delete this task"):
        service.delete(assignee, task.id)


def test_stranger_delete_looks_like_a_missing_task(service, task, stranger):
    with pytest.raises(TaskNotFound):
        service.delete(stranger, task.id)


def test_delete_with_a_stale_if_match_fails_the_precondition(service, task, owner):
    with pytest.raises(PreconditionFailed):
        service.delete(owner, task.id, if_match={2})


def test_delete_losing_a_race_without_if_match_is_a_version_conflict(racing, owner):
    service, task = racing
    with pytest.raises(VersionConflict):
        service.delete(owner, task.id)


def test_delete_losing_a_race_with_if_match_fails_the_precondition(racing, owner):
    service, task = racing
    with pytest.raises(PreconditionFailed):
        service.delete(owner, task.id, if_match={task.version})


# --- list ---------------------------------------------------------------------------------------


@pytest.fixture
def seven_tasks(service, owner, clock) -> list[str]:
    """Seven tasks of alice's, one second apart, oldest first; returns their ids."""
    ids = []
    for number in range(7):
        ids.append(service.create(owner, {"title": f"task {number}"}).id)
        clock.advance(1)
    return ids


def _all_pages(service, caller, query) -> list[list[str]]:
    """Every page, as a client reads them: at most ten, so a next token that never ends fails the test
    rather than hanging it."""
    pages, token = [], None
    for _ in range(10):
        page = service.list(caller, query, token)
        pages.append([task.id for task in page.items])
        token = page.next
        if token is None:
            return pages
    pytest.fail(f"still a next page after {pages}")


def test_paging_through_a_list_returns_every_task_once_newest_first(service, owner, seven_tasks):
    pages = _all_pages(service, owner, ListQuery.for_caller(owner, limit=3))
    assert [task_id for page in pages for task_id in page] == seven_tasks[::-1]


def test_pages_hold_at_most_the_limit(service, owner, seven_tasks):
    pages = _all_pages(service, owner, ListQuery.for_caller(owner, limit=3))
    assert [len(page) for page in pages] == [3, 3, 1]


def test_no_next_token_when_the_page_holds_the_rest(service, owner, seven_tasks):
    assert service.list(owner, ListQuery.for_caller(owner, limit=7)).next is None


def test_tasks_created_in_the_same_instant_are_each_listed_once(service, owner):
    ids = {service.create(owner, {"title": f"burst {number}"}).id for number in range(5)}
    pages = _all_pages(service, owner, ListQuery.for_caller(owner, limit=2))
    assert sorted(task_id for page in pages for task_id in page) == sorted(ids)


def test_page_size_may_change_between_pages(service, owner, seven_tasks):
    first = service.list(owner, ListQuery.for_caller(owner, limit=2))
    rest = service.list(owner, ListQuery.for_caller(owner, limit=100), first.next)
    assert [task.id for task in first.items + rest.items] == seven_tasks[::-1]


def test_assignee_lists_the_tasks_assigned_to_them(service, task, assignee):
    assert [t.id for t in service.list(assignee, ListQuery.for_caller(assignee)).items] == [task.id]


def test_stranger_lists_none_of_the_other_users_tasks(service, task, stranger):
    assert service.list(stranger, ListQuery.for_caller(stranger)).items == []


def test_admin_lists_every_users_tasks(service, task, stranger, admin):
    other = service.create(stranger, {"title": "mallory's"})
    listed = service.list(admin, ListQuery.for_caller(admin)).items
    assert [t.id for t in listed] == [other.id, task.id]


def test_page_token_from_another_user_is_rejected(service, owner, admin, seven_tasks):
    token = service.list(owner, ListQuery.for_caller(owner, owner="alice", limit=3)).next
    with pytest.raises(InvalidPageToken):
        service.list(admin, ListQuery.for_caller(admin, owner="alice", limit=3), token)


def test_page_token_from_other_filters_is_rejected(service, owner, seven_tasks):
    token = service.list(owner, ListQuery.for_caller(owner, limit=3)).next
    with pytest.raises(InvalidPageToken):
        service.list(owner, ListQuery.for_caller(owner, status="pending", limit=3), token)


def test_the_approvers_queue_lists_the_oldest_request_first_whatever_was_edited_since(
    service, owner, approver, clock
):
    """The approvers' queue order (issue 21): an awaiting task whose request time differs from its last
    update keeps its place by its request."""
    first = service.create(owner, {"title": "first", "priority": "high"})
    clock.advance()
    second = service.create(owner, {"title": "second", "priority": "high"})
    clock.advance()
    service.update(owner, first.id, {"tags": ["edited"]})  # the older request's task, edited last

    listed = service.list(approver, ListQuery.awaiting_approval(approver)).items

    assert [task.id for task in listed] == [first.id, second.id]
