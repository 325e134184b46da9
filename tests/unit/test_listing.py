"""Which audiences list a task, and which views answer a list request."""

from dataclasses import replace

import pytest

from tasks_shared.domain.errors import NotAllowed, ValidationFailed
from tasks_shared.domain.listing import ALL, AWAITING, ListQuery, scopes_of, sort_key, view_keys
from tasks_shared.domain.model import Caller

LATER = "2024-05-02T09:00:00.000000Z"


def test_unassigned_task_is_listed_for_its_owner_and_admins(make_task):
    assert scopes_of(make_task()) == {"OWNER#alice", ALL}


def test_assigned_task_is_also_listed_for_its_assignee(make_task):
    assert scopes_of(make_task(assignee="bob")) == {"OWNER#alice", "ASSIGNEE#bob", ALL}


def test_a_task_awaiting_approval_is_also_in_the_approvers_queue_sorted_by_its_request(make_task):
    task = make_task(priority="high")

    assert scopes_of(task) == {"OWNER#alice", ALL, AWAITING}
    assert sort_key(task, AWAITING) == f"{task.approval.requested_at}#{task.id}"


def test_the_approvers_queue_sorts_on_the_request_time_not_the_last_update(make_task):
    """An awaiting task whose request time differs from its creation or last update (issue 21): an edit
    that keeps the request (new tags) must not move it to the back of the approvers' queue."""
    task = make_task(priority="high")
    retagged = task.with_changes({"tags": ["ops"]}, LATER, "alice")

    assert retagged.updated_at == LATER != retagged.approval.requested_at
    assert sort_key(retagged, AWAITING) == f"{task.created_at}#{task.id}"


def test_each_view_of_a_task_is_keyed_by_its_scope_and_its_place_in_it(make_task):
    """view_keys (issue 21): what the task-indexer writes, one view per audience."""
    task = make_task(assignee="bob").with_changes({"priority": "high"}, LATER, "alice")  # asked later
    created, requested = f"{task.created_at}#{task.id}", f"{LATER}#{task.id}"

    assert view_keys(task) == {
        ("OWNER#alice", created),
        ("ASSIGNEE#bob", created),
        (ALL, created),
        (AWAITING, requested),
    }


def test_newer_task_sorts_after_an_older_one(make_task):
    older = make_task()
    newer = replace(older, id="task-0", created_at="2024-05-01T09:00:00.000001Z")
    assert sort_key(newer) > sort_key(older)


def test_tasks_created_in_the_same_instant_sort_by_id(make_task):
    first = make_task()
    assert sort_key(replace(first, id="task-2")) > sort_key(first)


def test_user_lists_own_and_assigned_tasks_by_default(owner):
    assert ListQuery.for_caller(owner).scopes == ("OWNER#alice", "ASSIGNEE#alice")


def test_admin_lists_all_tasks_by_default(admin):
    assert ListQuery.for_caller(admin).scopes == (ALL,)


@pytest.mark.parametrize(
    ("role", "scope"),
    [("owner", "OWNER#alice"), ("assignee", "ASSIGNEE#alice")],
)
def test_user_may_filter_on_themselves(owner, role, scope):
    assert ListQuery.for_caller(owner, **{role: "alice"}).scopes == (scope,)


@pytest.mark.parametrize("role", ["owner", "assignee"])
def test_user_may_not_filter_on_another_user(owner, role):
    with pytest.raises(NotAllowed, match=f"only admins may list tasks of other users \\({role}=bob\\)"):
        ListQuery.for_caller(owner, **{role: "bob"})


@pytest.mark.parametrize(
    ("role", "scope"),
    [("owner", "OWNER#bob"), ("assignee", "ASSIGNEE#bob")],
)
def test_admin_may_filter_on_any_user(admin, role, scope):
    assert ListQuery.for_caller(admin, **{role: "bob"}).scopes == (scope,)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_filtering_on_owner_and_assignee_together_is_invalid(who, request):
    with pytest.raises(ValidationFailed) as refused:
        ListQuery.for_caller(request.getfixturevalue(who), owner="alice", assignee="alice")
    assert refused.value.details == [{"field": "owner", "issue": "cannot be combined with assignee"}]
    assert "filter on owner or on assignee, not both" in refused.value.message


def test_query_keeps_its_filters_and_page_size(owner):
    query = ListQuery.for_caller(owner, status="pending", priority="high", limit=5)
    assert (query.status, query.priority, query.limit) == ("pending", "high", 5)


def test_fingerprint_ignores_the_page_size(owner):
    small, large = (ListQuery.for_caller(owner, limit=limit) for limit in (1, 100))
    assert small.fingerprint == large.fingerprint


@pytest.mark.parametrize(
    "other",
    [
        {"status": "pending"},
        {"priority": "low"},
        {"owner": "alice"},
        {"assignee": "alice"},
    ],
)
def test_fingerprint_differs_for_other_filters(owner, other):
    assert ListQuery.for_caller(owner).fingerprint != ListQuery.for_caller(owner, **other).fingerprint


def test_a_list_page_holds_20_tasks_unless_asked_otherwise(owner, approver):
    """The contract's default page size (docs/design.md §3), for lists and the approvers' queue alike."""
    assert (ListQuery.for_caller(owner).limit, ListQuery.awaiting_approval(approver).limit) == (20, 20)


def test_the_approvers_queue_is_every_task_awaiting_approval_oldest_request_first(approver):
    """ListQuery.awaiting_approval (issue 21): GET /approvals."""
    query = ListQuery.awaiting_approval(approver, limit=5)
    assert (query.scopes, query.limit, query.oldest_first) == ((AWAITING,), 5, True)
    assert (query.status, query.priority) == (None, None)


@pytest.mark.parametrize("groups", [set(), {"admins"}], ids=["user", "admin"])
def test_only_approvers_list_the_approvers_queue(groups):
    with pytest.raises(NotAllowed, match="only approvers may list the tasks awaiting approval"):
        ListQuery.awaiting_approval(Caller("root", frozenset(groups)))


def test_other_lists_are_newest_first(owner, admin):
    assert not ListQuery.for_caller(owner).oldest_first
    assert not ListQuery.for_caller(admin, owner="bob").oldest_first
