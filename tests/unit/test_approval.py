"""The approval lifecycle follows the task (issue 8): who may decide, what raising, lowering and
cancelling do to a request, and what a task without its approval may not become."""

from dataclasses import replace

import pytest

from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.domain.approval import Approval, ApprovalStatus, TaskToken
from tasks_shared.domain.errors import InvalidTransition, NotAllowed, NotAwaitingApproval
from tasks_shared.domain.model import Caller, Priority, Status, Task, dismissing_changes

RAISED_AT = "2024-05-02T10:00:00.000000Z"
LATER = "2024-05-03T10:00:00.000000Z"


@pytest.fixture
def awaiting(make_task) -> Task:
    return make_task(priority="high")


def _approved(task: Task) -> Task:
    return replace(task, approval=Approval(ApprovalStatus.APPROVED, "carol", RAISED_AT, "fine"))


# --- raising opens a request --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "in_progress"])
def test_raising_an_open_task_to_high_requests_approval_at_the_time_of_the_change(make_task, status):
    task = make_task(priority="low").with_changes({"status": status}, RAISED_AT, "alice")
    raised = task.with_changes({"priority": "high"}, LATER, "alice")
    assert raised.approval == Approval.requested(LATER)


def test_raising_a_task_whose_request_was_withdrawn_opens_a_new_one(awaiting):
    lowered = awaiting.with_changes({"priority": "medium"}, RAISED_AT, "alice")
    raised = lowered.with_changes({"priority": "high"}, LATER, "alice")
    assert raised.approval == Approval.requested(LATER)


def test_raising_and_cancelling_in_one_change_requests_nothing(make_task):
    changed = make_task().with_changes({"priority": "high", "status": "cancelled"}, LATER, "alice")
    assert changed.approval.status is ApprovalStatus.NOT_REQUIRED


def test_raising_a_completed_task_requests_nothing(make_task):
    done = make_task().with_changes({"status": "completed"}, RAISED_AT, "alice")
    assert (
        done.with_changes({"priority": "high"}, LATER, "alice").approval.status is ApprovalStatus.NOT_REQUIRED
    )


def test_an_in_progress_task_raised_to_high_cannot_complete_until_approved(make_task):
    started = make_task().with_changes({"status": "in_progress"}, RAISED_AT, "alice")
    raised = started.with_changes({"priority": "high"}, RAISED_AT, "alice")
    with pytest.raises(InvalidTransition):
        raised.with_changes({"status": "completed"}, LATER, "alice")


# --- lowering or cancelling withdraws it --------------------------------------------------------


@pytest.mark.parametrize("changes", [{"priority": "medium"}, {"priority": "low"}, {"status": "cancelled"}])
def test_lowering_or_cancelling_while_awaiting_withdraws_the_request_in_the_callers_name(awaiting, changes):
    changed = awaiting.with_changes(changes, LATER, "root")
    assert changed.approval == Approval(
        ApprovalStatus.WITHDRAWN, decided_by="root", decided_at=LATER, requested_at=awaiting.created_at
    )


# --- a change to the approved work dismisses the approval (issue 14) -----------------------------


@pytest.mark.parametrize(
    "changes",
    [{"title": "Drop the production database"}, {"description": "prod, no backup"}, {"assignee": "mallory"}],
)
@pytest.mark.parametrize("held", ["awaiting", "approved"])
def test_changing_the_approved_work_asks_for_approval_again(awaiting, changes, held):
    """An approval holds only for what was approved, like a review dismissed by a new push."""
    task = awaiting if held == "awaiting" else _approved(awaiting)
    changed = task.with_changes(changes, LATER, "alice")
    assert changed.approval == Approval.requested(LATER)


@pytest.mark.parametrize(
    "changes",
    [{"dueDate": "2030-01-31"}, {"tags": ["ops"]}, {"status": "in_progress"}, {"status": "pending"}],
)
def test_changes_that_do_not_alter_the_work_keep_the_approval(awaiting, changes):
    approved = _approved(awaiting).with_changes({"status": "in_progress"}, RAISED_AT, "alice")
    assert approved.with_changes(changes, LATER, "alice").approval == approved.approval


def test_changes_that_do_not_alter_the_work_keep_the_request(awaiting):
    changed = awaiting.with_changes({"dueDate": "2030-01-31", "tags": ["ops"]}, LATER, "alice")
    assert changed.approval == awaiting.approval


def test_the_probe_edit_after_approval_cannot_start_the_task(awaiting):
    """The black-box probe: approve "Rotate staging keys", rewrite it, start it: refused."""
    rewritten = _approved(awaiting).with_changes(
        {"title": "Drop the production database", "description": "prod, no backup"}, LATER, "alice"
    )
    assert rewritten.approval.status is ApprovalStatus.AWAITING
    with pytest.raises(InvalidTransition, match="awaiting approval"):
        rewritten.with_changes({"status": "in_progress"}, LATER, "alice")


def test_an_in_progress_task_whose_work_changes_cannot_complete_until_approved_again(awaiting):
    started = _approved(awaiting).with_changes({"status": "in_progress"}, RAISED_AT, "alice")
    changed = started.with_changes({"title": "Rotate every key"}, LATER, "alice")
    assert (changed.status, changed.approval.status) == (Status.IN_PROGRESS, ApprovalStatus.AWAITING)
    with pytest.raises(InvalidTransition):
        changed.with_changes({"status": "completed"}, LATER, "alice")


def test_an_approval_of_a_task_no_longer_high_is_dismissed_without_a_new_request(awaiting):
    """Lowered below high and changed: nothing to approve now, and the old approval cannot come back
    with a later raise (which then asks afresh)."""
    changed = _approved(awaiting).with_changes({"priority": "medium", "title": "x"}, LATER, "alice")
    assert changed.approval.status is ApprovalStatus.NOT_REQUIRED
    assert changed.with_changes({"priority": "high"}, LATER, "alice").approval == Approval.requested(LATER)


def test_lowering_and_changing_an_awaiting_task_withdraws_its_request(awaiting):
    changed = awaiting.with_changes({"priority": "low", "title": "x"}, LATER, "root")
    assert (changed.approval.status, changed.approval.decided_by) == (ApprovalStatus.WITHDRAWN, "root")


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_closed_task_keeps_its_approval_whatever_changes(awaiting, status):
    closed = replace(_approved(awaiting), status=Status(status))
    assert closed.with_changes({"title": "renamed"}, LATER, "alice").approval == closed.approval


def test_cancelling_and_changing_an_approved_task_keeps_the_approval_it_had(awaiting):
    approved = _approved(awaiting)
    cancelled = approved.with_changes({"status": "cancelled", "title": "never mind"}, LATER, "alice")
    assert cancelled.approval == approved.approval


@pytest.mark.parametrize("status", ["rejected", "expired", "withdrawn", "not_required"])
def test_a_change_to_a_task_with_no_approval_held_requests_nothing(make_task, status):
    task = replace(make_task(), approval=Approval(ApprovalStatus(status)))
    assert task.with_changes({"title": "renamed"}, LATER, "alice").approval == task.approval


def test_dismissing_changes_names_exactly_the_approved_works_fields_that_changed(awaiting):
    approved = _approved(awaiting)
    changed = replace(approved, title="t2", assignee="bob", due_date="2030-01-01", tags=("x",))
    assert dismissing_changes(approved, changed) == ("title", "assignee")
    assert dismissing_changes(approved, replace(approved, due_date="2030-01-01")) == ()
    assert (
        dismissing_changes(
            replace(approved, status=Status.COMPLETED), replace(changed, status=Status.COMPLETED)
        )
        == ()
    )


def test_lowering_an_approved_task_keeps_its_approval(awaiting):
    approved = _approved(awaiting)
    assert approved.with_changes({"priority": "low"}, LATER, "alice").approval == approved.approval


def test_lowering_and_starting_in_one_change_is_allowed(awaiting):
    started = awaiting.with_changes({"priority": "low", "status": "in_progress"}, LATER, "alice")
    assert (started.status, started.approval.status) == (Status.IN_PROGRESS, ApprovalStatus.WITHDRAWN)


# --- a high task without its approval -----------------------------------------------------------


@pytest.fixture
def withdrawn_high(awaiting) -> Task:
    """High priority with its request withdrawn, as the workflow's ReleaseRequest leaves it."""
    approval = awaiting.approval.withdrawn("approval-workflow", RAISED_AT)
    return replace(awaiting, approval=approval)


@pytest.mark.parametrize("target", ["in_progress", "completed"])
def test_a_high_task_whose_request_was_withdrawn_cannot_start_or_complete(withdrawn_high, target):
    with pytest.raises(InvalidTransition) as refused:
        withdrawn_high.with_changes({"status": target}, LATER, "alice")
    assert "lower its priority and raise it to high again" in refused.value.message
    assert refused.value.details == [{"field": "status", "issue": "approval withdrawn"}]


def test_a_lowered_task_whose_request_was_withdrawn_can_start(withdrawn_high):
    lowered = withdrawn_high.with_changes({"priority": "medium"}, LATER, "alice")
    assert lowered.with_changes({"status": "in_progress"}, LATER, "alice").status is Status.IN_PROGRESS


def test_a_high_task_whose_request_was_withdrawn_can_be_cancelled(withdrawn_high):
    assert withdrawn_high.with_changes({"status": "cancelled"}, LATER, "alice").status is Status.CANCELLED


# --- who decides ----------------------------------------------------------------------------------

APPROVER = Caller("carol", frozenset({"approvers"}))


def test_an_approver_may_decide_on_a_task_awaiting_approval(awaiting):
    awaiting.check_decision_by(APPROVER)


@pytest.mark.parametrize(
    "caller",
    [Caller("bob"), Caller("root", frozenset({"admins"})), Caller("alice")],
    ids=["user", "admin", "owner"],
)
def test_only_approvers_may_decide(awaiting, caller):
    with pytest.raises(NotAllowed, match="only approvers may decide on an approval request"):
        awaiting.check_decision_by(caller)


def test_an_approver_may_not_decide_on_their_own_task(awaiting):
    with pytest.raises(NotAllowed, match="the owner of a task may not decide on its approval request"):
        awaiting.check_decision_by(Caller("alice", frozenset({"approvers", "admins"})))


def test_four_eyes_the_assignee_may_not_decide_either(make_task):
    """Neither the one who asks (the owner) nor the one who does the work (the assignee) decides."""
    task = make_task(priority="high", assignee="carol")
    with pytest.raises(NotAllowed, match="the assignee of a task may not decide on its approval request"):
        task.check_decision_by(APPROVER)


def test_the_owner_is_refused_even_when_no_decision_is_awaited(make_task):
    with pytest.raises(NotAllowed):
        make_task().check_decision_by(Caller("alice", frozenset({"approvers"})))


@pytest.mark.parametrize("status", [s for s in ApprovalStatus if s is not ApprovalStatus.AWAITING])
def test_a_decision_needs_a_task_awaiting_one(awaiting, status):
    decided = replace(awaiting, approval=Approval(status))
    with pytest.raises(
        NotAwaitingApproval, match=f"task task-1 is not awaiting approval \\(its approval is {status}\\)"
    ):
        decided.check_decision_by(APPROVER)


# --- representations ------------------------------------------------------------------------------


def test_an_empty_comment_is_no_comment(awaiting):
    """The workflow copies a claimed decision's comment as is: "" when the approver gave none."""
    approved = {"status": "approved", "decidedBy": "carol", "decidedAt": LATER, "comment": ""}
    record = {**task_record(awaiting), "approval": approved}
    assert task_from_record(record).approval.comment is None
    assert Approval.from_dict(approved).comment is None


def test_a_withdrawal_shows_who_withdrew_the_request_and_when(awaiting):
    lowered = awaiting.with_changes({"priority": Priority.LOW}, LATER, "alice")
    assert lowered.to_dict()["approval"] == {
        "status": "withdrawn",
        "requestedAt": awaiting.created_at,
        "decidedBy": "alice",
        "decidedAt": LATER,
    }


def test_a_task_token_never_shows_in_its_text():
    token = TaskToken("AAAA-secret-token")
    assert "secret" not in repr(token)
    assert "secret" not in f"{token} {[token]} { ({'t': token}) }"


def test_a_request_asked_again_is_always_later_than_the_one_it_replaces(awaiting):
    """requestedAt tells the workflow's executions apart: a clock that has not moved (another
    container's, behind) still gives the new request a later one."""
    same_instant = awaiting.with_changes({"title": "renamed"}, awaiting.approval.requested_at, "alice")
    assert same_instant.approval.requested_at == "2024-05-01T09:00:00.000001Z"
    earlier = awaiting.with_changes({"title": "renamed"}, "2024-04-30T09:00:00.000000Z", "alice")
    assert earlier.approval.requested_at == "2024-05-01T09:00:00.000001Z"
