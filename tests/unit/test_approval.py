"""The approval lifecycle follows the task (issue 8): who may decide, what raising, lowering and
cancelling do to a request, and what a task without its approval may not become."""

from dataclasses import replace

import pytest

from tasks_shared.adapters.dynamodb.items import task_from_record, task_record
from tasks_shared.domain.approval import Approval, ApprovalStatus, TaskToken
from tasks_shared.domain.errors import InvalidTransition, NotAllowed, NotAwaitingApproval
from tasks_shared.domain.model import Caller, Priority, Status, Task

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


def test_editing_another_field_while_awaiting_keeps_the_request(awaiting):
    assert awaiting.with_changes({"title": "renamed"}, LATER, "alice").approval == awaiting.approval


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
    with pytest.raises(NotAllowed):
        awaiting.check_decision_by(caller)


def test_an_approver_may_not_decide_on_their_own_task(awaiting):
    with pytest.raises(NotAllowed):
        awaiting.check_decision_by(Caller("alice", frozenset({"approvers", "admins"})))


def test_the_owner_is_refused_even_when_no_decision_is_awaited(make_task):
    with pytest.raises(NotAllowed):
        make_task().check_decision_by(Caller("alice", frozenset({"approvers"})))


@pytest.mark.parametrize("status", [s for s in ApprovalStatus if s is not ApprovalStatus.AWAITING])
def test_a_decision_needs_a_task_awaiting_one(awaiting, status):
    decided = replace(awaiting, approval=Approval(status))
    with pytest.raises(NotAwaitingApproval):
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
