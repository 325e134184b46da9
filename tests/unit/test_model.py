"""The task's defaults, status and approval rules, visibility and representations (docs/design.md §3)."""

import re
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.domain.approval import Approval, ApprovalStatus
from tasks_shared.domain.errors import InvalidTransition
from tasks_shared.domain.fields import PUBLIC, REQUIRED
from tasks_shared.domain.model import Caller, Priority, Status, Task, utcnow

LATER = "2024-05-01LATER0:00:00.000000Z"
DECIDED_AT = "2024-05-01T09:30:00.000000Z"


def _approved(task: Task) -> Task:
    return replace(task, approval=Approval(ApprovalStatus.APPROVED, "carol", DECIDED_AT, "fine"))


# --- defaults -----------------------------------------------------------------------------------


def test_new_task_defaults_to_medium_priority(make_task):
    assert make_task().priority is Priority.MEDIUM


def test_new_task_starts_pending(make_task):
    assert make_task().status is Status.PENDING


def test_new_task_starts_at_version_one(make_task):
    assert make_task().version == 1


@pytest.mark.parametrize("priority", ["low", "medium"])
def test_new_task_below_high_priority_needs_no_approval(make_task, priority):
    assert make_task(priority=priority).approval.status is ApprovalStatus.NOT_REQUIRED


def test_new_high_priority_task_awaits_approval(make_task):
    assert make_task(priority="high").approval.status is ApprovalStatus.AWAITING


def test_new_task_is_created_and_updated_at_the_same_instant(make_task, created_at):
    task = make_task()
    assert (task.created_at, task.updated_at) == (created_at, created_at)


def test_new_task_has_no_completion_time(make_task):
    assert make_task().completed_at is None


def test_a_task_created_without_a_description_has_an_empty_one(make_task):
    """Its "" default (issue 21): the API and every event show an empty description, never none."""
    task = make_task()
    assert (task.description, task.to_dict()["description"]) == ("", "")


def test_new_task_keeps_the_client_fields(make_task):
    task = make_task(description="d", assignee="bob", dueDate="2024-06-01", tags=["a", "b"])
    assert (task.description, task.assignee, task.due_date, task.tags) == (
        "d",
        "bob",
        "2024-06-01",
        ("a", "b"),
    )


# --- timestamps -----------------------------------------------------------------------------------

ISO_8601_UTC_MICROSECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


@pytest.fixture
def far_from_utc(monkeypatch):
    """The machine's clock set to a zone 5h30 away from UTC (and back again afterwards)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_timestamps_are_utc_with_microseconds_whatever_the_machines_time_zone(far_from_utc):
    """The timestamp format (issue 21): ISO 8601 in UTC to the microsecond, so that they sort as text in
    DynamoDB keys, whatever zone the machine's clock is in."""
    now = utcnow()
    assert ISO_8601_UTC_MICROSECONDS.fullmatch(now)
    drift = datetime.strptime(now, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) - datetime.now(UTC)
    assert abs(drift.total_seconds()) < 60


# --- status rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["in_progress", "completed"])
def test_task_awaiting_approval_cannot_start_or_complete(make_task, target):
    task = make_task(priority="high")
    with pytest.raises(InvalidTransition) as refused:
        task.with_changes({"status": target}, LATER, "alice")
    assert refused.value.details == [{"field": "status", "issue": "awaiting approval"}]
    assert f"the task is awaiting approval and cannot become {target}" in refused.value.message


def test_task_awaiting_approval_can_be_cancelled(make_task):
    task = make_task(priority="high")
    assert task.with_changes({"status": "cancelled"}, LATER, "alice").status is Status.CANCELLED


def test_approved_high_priority_task_can_start(make_task):
    task = _approved(make_task(priority="high"))
    assert task.with_changes({"status": "in_progress"}, LATER, "alice").status is Status.IN_PROGRESS


def test_completing_a_task_sets_completed_at(make_task):
    assert make_task().with_changes({"status": "completed"}, LATER, "alice").completed_at == LATER


def test_editing_a_completed_task_keeps_its_completion_time(make_task):
    done = make_task().with_changes({"status": "completed"}, LATER, "alice")
    assert (
        done.with_changes({"title": "renamed"}, "2024-05-02T00:00:00.000000Z", "alice").completed_at == LATER
    )


def test_in_progress_task_can_go_back_to_pending(make_task):
    started = make_task().with_changes({"status": "in_progress"}, LATER, "alice")
    assert started.with_changes({"status": "pending"}, LATER, "alice").status is Status.PENDING


@pytest.mark.parametrize(
    ("terminal", "target"),
    [
        (terminal, target)
        for terminal in ("completed", "cancelled")
        for target in Status
        if target != terminal
    ],
)
def test_terminal_task_cannot_change_status(make_task, terminal, target):
    task = make_task().with_changes({"status": terminal}, LATER, "alice")
    with pytest.raises(InvalidTransition):
        task.with_changes({"status": target}, LATER, "alice")


# The contract's status transitions (docs/design.md §3), entry by entry: the table in model.py is
# module-level, so mutation testing cannot change it; this is what fails if one of its entries changes.
NEXT_STATUS = {
    "pending": {"in_progress", "completed", "cancelled"},
    "in_progress": {"pending", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


def _in_status(make_task, status: str) -> Task:
    """A medium task (no approval in the way) that has reached `status` the way a user gets it there."""
    task = make_task()
    return task if status == "pending" else task.with_changes({"status": status}, LATER, "alice")


@pytest.mark.parametrize(
    ("start", "target"),
    [(start, target) for start in NEXT_STATUS for target in NEXT_STATUS if start != target],
)
def test_the_status_transitions_are_exactly_the_contracts(make_task, start, target):
    task = _in_status(make_task, start)
    if target in NEXT_STATUS[start]:
        assert task.with_changes({"status": target}, LATER, "alice").status == target
    else:
        with pytest.raises(InvalidTransition) as refused:
            task.with_changes({"status": target}, LATER, "alice")
        assert refused.value.details == [{"field": "status", "issue": f"not allowed from {start}"}]
        assert f"a {start} task cannot become {target}" in refused.value.message


@pytest.mark.parametrize("target", ["completed", "cancelled"])
def test_a_task_in_progress_can_be_completed_or_cancelled(make_task, target):
    """in_progress → completed and in_progress → cancelled (issue 21): the way most tasks end."""
    started = _in_status(make_task, "in_progress")
    assert started.with_changes({"status": target}, LATER, "alice").status == target


def test_invalid_transition_names_the_status_field(make_task):
    cancelled = make_task().with_changes({"status": "cancelled"}, LATER, "alice")
    with pytest.raises(InvalidTransition) as raised:
        cancelled.with_changes({"status": "pending"}, LATER, "alice")
    assert [detail["field"] for detail in raised.value.details] == ["status"]


# --- approval on priority changes ---------------------------------------------------------------


def test_raising_a_pending_task_to_high_requires_approval(make_task):
    raised = make_task().with_changes({"priority": "high"}, LATER, "alice")
    assert raised.approval.status is ApprovalStatus.AWAITING


def test_raising_an_in_progress_task_to_high_requires_approval(make_task):
    started = make_task().with_changes({"status": "in_progress"}, LATER, "alice")
    raised = started.with_changes({"priority": "high"}, LATER, "alice")
    assert raised.approval.status is ApprovalStatus.AWAITING


def test_raising_an_already_approved_task_to_high_keeps_the_approval(make_task):
    lowered = _approved(make_task(priority="high")).with_changes({"priority": "low"}, LATER, "alice")
    raised = lowered.with_changes({"priority": "high"}, LATER, "alice")
    assert raised.approval.status is ApprovalStatus.APPROVED


def test_raising_to_high_and_starting_in_one_change_is_blocked(make_task):
    with pytest.raises(InvalidTransition):
        make_task().with_changes({"priority": "high", "status": "in_progress"}, LATER, "alice")


def test_returning_to_pending_and_raising_to_high_in_one_change_requires_approval(make_task):
    started = make_task().with_changes({"status": "in_progress"}, LATER, "alice")
    raised = started.with_changes({"status": "pending", "priority": "high"}, LATER, "alice")
    assert raised.approval.status is ApprovalStatus.AWAITING


# --- versions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{}, {"title": "Write the unit tests"}, {"priority": "medium", "status": "pending"}, {"tags": []}],
)
def test_change_to_the_current_values_returns_the_same_task(make_task, changes):
    task = make_task()
    assert task.with_changes(changes, LATER, "alice") is task


def test_real_change_bumps_the_version(make_task):
    assert make_task().with_changes({"title": "renamed"}, LATER, "alice").version == 2


def test_real_change_moves_updated_at(make_task):
    assert make_task().with_changes({"title": "renamed"}, LATER, "alice").updated_at == LATER


def test_real_change_keeps_created_at(make_task, created_at):
    assert make_task().with_changes({"title": "renamed"}, LATER, "alice").created_at == created_at


def test_real_change_leaves_the_original_untouched(make_task):
    task = make_task()
    task.with_changes({"title": "renamed"}, LATER, "alice")
    assert (task.title, task.version) == ("Write the unit tests", 1)


def test_an_update_of_the_tags_replaces_them_and_is_never_silently_ignored(make_task):
    """No test updated tags (issue 21): a mistyped key would have dropped every tags change unnoticed."""
    retagged = make_task(tags=["draft"]).with_changes({"tags": ["ops", "urgent"]}, LATER, "alice")
    assert (retagged.tags, retagged.version) == (("ops", "urgent"), 2)


def test_an_update_of_the_due_date_moves_it(make_task):
    moved = make_task(dueDate="2024-06-01").with_changes({"dueDate": "2024-07-15"}, LATER, "alice")
    assert (moved.due_date, moved.version) == ("2024-07-15", 2)


def test_etag_is_the_quoted_version(make_task):
    assert make_task().with_changes({"title": "renamed"}, LATER, "alice").etag == '"2"'


# --- who may see, edit and delete ---------------------------------------------------------------

OWNER = Caller("alice")
ASSIGNEE = Caller("bob")
STRANGER = Caller("mallory")
APPROVER = Caller("carol", frozenset({"approvers"}))
ADMIN = Caller("root", frozenset({"admins"}))


@pytest.mark.parametrize(
    ("caller", "visible"),
    [(OWNER, True), (ASSIGNEE, True), (ADMIN, True), (STRANGER, False)],
    ids=["owner", "assignee", "admin", "stranger"],
)
def test_task_is_visible_to_owner_assignee_and_admins_only(make_task, caller, visible):
    assert make_task(assignee="bob").is_visible_to(caller) is visible


def test_approver_sees_a_task_awaiting_approval(make_task):
    assert make_task(priority="high").is_visible_to(APPROVER)


def test_approver_does_not_see_a_task_that_needs_no_approval(make_task):
    assert not make_task().is_visible_to(APPROVER)


def test_approver_still_sees_a_task_once_approved(make_task):
    """An approver reads a task while it has an approval record: what their queue showed them, and
    what the decision route speaks of (issue 14)."""
    assert _approved(make_task(priority="high")).is_visible_to(APPROVER)


@pytest.mark.parametrize("status", ["rejected", "expired", "withdrawn"])
def test_approver_sees_a_task_with_any_approval_record(make_task, status):
    task = replace(make_task(priority="high"), approval=Approval(ApprovalStatus(status)))
    assert task.is_visible_to(APPROVER)


@pytest.mark.parametrize(
    ("caller", "fields", "allowed"),
    [
        (OWNER, {"title", "priority", "assignee"}, True),
        (ADMIN, {"title", "status"}, True),
        (ASSIGNEE, {"status"}, True),
        (ASSIGNEE, {"title"}, False),
        (ASSIGNEE, {"status", "priority"}, False),
        (STRANGER, {"status"}, False),
        (APPROVER, {"status"}, False),
    ],
    ids=[
        "owner-anything",
        "admin-anything",
        "assignee-status",
        "assignee-title",
        "assignee-status-and-priority",
        "stranger-status",
        "approver-status",
    ],
)
def test_owner_and_admins_edit_anything_and_the_assignee_only_the_status(make_task, caller, fields, allowed):
    assert make_task(assignee="bob", priority="high").may_edit(caller, fields) is allowed


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [(OWNER, True), (ADMIN, True), (ASSIGNEE, False), (STRANGER, False)],
    ids=["owner", "admin", "assignee", "stranger"],
)
def test_only_owner_and_admins_may_delete(make_task, caller, allowed):
    assert make_task(assignee="bob").may_delete(caller) is allowed


@pytest.mark.parametrize(
    ("groups", "flags"),
    [(set(), (False, False)), ({"admins"}, (True, False)), ({"approvers", "admins"}, (True, True))],
)
def test_caller_roles_come_from_its_groups(groups, flags):
    caller = Caller("u", frozenset(groups))
    assert (caller.is_admin, caller.is_approver) == flags


# --- representations ----------------------------------------------------------------------------


@pytest.mark.parametrize("internal", ["updatedBy", "correlationId"])
def test_public_representation_never_carries_internal_fields(make_task, owner, internal):
    assert internal not in make_task().stamped(owner).to_dict()


def test_record_carries_who_changed_the_task_and_the_request(make_task, owner):
    record = task_record(make_task().stamped(owner))
    assert (record["updatedBy"], record["correlationId"]) == ("alice", "req-alice")


def test_public_representation_uses_the_contract_field_names(make_task):
    task = make_task(assignee="bob", dueDate="2024-06-01").with_changes(
        {"status": "completed"}, LATER, "alice"
    )
    assert set(task.to_dict()) == {
        "id",
        "title",
        "description",
        "priority",
        "status",
        "assignee",
        "dueDate",
        "tags",
        "ownerId",
        "approval",
        "createdAt",
        "updatedAt",
        "completedAt",
        "version",
    }


@pytest.mark.parametrize("absent", ["assignee", "dueDate", "completedAt"])
def test_public_representation_omits_unset_optional_fields(make_task, absent):
    assert absent not in make_task().to_dict()


def test_undecided_approval_shows_its_status_and_when_it_was_requested(make_task):
    task = make_task(priority="high")

    assert task.to_dict()["approval"] == {"status": "awaiting", "requestedAt": task.created_at}


def test_raising_a_task_to_high_requests_approval_at_the_time_of_the_change(make_task):
    raised = make_task().with_changes({"priority": "high"}, "2024-05-03T10:00:00.000000Z", "alice")

    assert raised.approval.requested_at == "2024-05-03T10:00:00.000000Z"


def test_decided_approval_shows_who_when_and_why(make_task):
    assert _approved(make_task(priority="high")).to_dict()["approval"] == {
        "status": "approved",
        "decidedBy": "carol",
        "decidedAt": DECIDED_AT,
        "comment": "fine",
    }


def test_record_round_trips_to_an_equal_task(make_task, owner):
    task = _approved(make_task(priority="high", assignee="bob", tags=["x"])).stamped(owner)
    assert task_from_record(task_record(task)) == task


def test_public_representation_round_trips_without_internal_fields(make_task, owner):
    task = make_task(dueDate="2024-06-01").with_changes({"status": "completed"}, LATER, "alice")
    assert Task.from_dict(task.stamped(owner).to_dict()) == task


def test_a_task_read_back_from_its_public_form_keeps_its_approval(make_task, owner):
    """Approval.from_dict (issue 21): a task read from its public form (a list page, GET /approvals, an
    event a consumer reads) keeps every field of its approval: status, request time, who decided, when,
    and why."""
    task = _approved(make_task(priority="high"))
    task = replace(task, approval=replace(task.approval, requested_at="2024-05-01T09:10:00.000000Z"))

    read_back = Task.from_dict(task.stamped(owner).to_dict())

    assert read_back.approval == Approval(
        ApprovalStatus.APPROVED, "carol", DECIDED_AT, "fine", "2024-05-01T09:10:00.000000Z"
    )


@pytest.mark.parametrize("missing", sorted(field.public for field in PUBLIC if field.name in REQUIRED))
def test_a_public_form_without_a_required_field_is_not_a_task(make_task, missing):
    public = make_task().to_dict()
    del public[missing]
    with pytest.raises(KeyError, match="not a task: no "):
        Task.from_dict(public)


def test_a_public_form_that_is_no_task_names_every_field_it_lacks(make_task):
    public = make_task().to_dict()
    del public["title"], public["id"], public["ownerId"]
    with pytest.raises(KeyError, match="not a task: no id, owner_id, title"):
        Task.from_dict(public)


@pytest.mark.parametrize(
    ("missing", "default"),
    [("description", ""), ("tags", ()), ("assignee", None), ("dueDate", None), ("completedAt", None)],
)
def test_a_public_form_without_an_optional_field_is_a_task_with_its_default(make_task, missing, default):
    public = make_task(description="d", tags=["t"], assignee="bob", dueDate="2024-06-01").to_dict()
    public.pop(missing, None)
    name = next(field.name for field in PUBLIC if field.public == missing)
    assert getattr(Task.from_dict(public), name) == default


def test_stamping_attributes_the_task_without_changing_its_version(make_task, admin):
    stamped = make_task().stamped(admin)
    assert (stamped.updated_by, stamped.correlation_id, stamped.version) == ("root", "req-root", 1)
