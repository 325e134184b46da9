"""TaskService's side of the approval protocol (docs/approval-workflow.md) on in-memory fakes: the claim
and the answer of a decision, and the withdrawal of a request by a change or a delete."""

from dataclasses import replace

import pytest

from tasks_shared.adapters.memory import InMemoryTaskRepository
from tasks_shared.domain.approval import ApprovalStatus, ClaimedDecision, Decision, TaskToken
from tasks_shared.domain.errors import (
    ApprovalRequestChanged,
    ApprovalRequestEnded,
    NotAllowed,
    NotAwaitingApproval,
    PreconditionFailed,
    PreconditionRequired,
    TaskNotFound,
)
from tasks_shared.domain.model import Caller, Status, Task
from tasks_shared.usecases.ports import StoredTask, Withdrawal
from tasks_shared.usecases.tasks import REQUEST_MOVED_ATTEMPTS, TaskService

TOKEN = TaskToken("workflow-token-0001")


class LateTokenRepository(InMemoryTaskRepository):
    """The workflow stores its token (once, as its first state does) between the service's read and its
    write; `writes` counts the conditional writes tried."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def _store_token(self, task_id: str) -> None:
        self.writes += 1
        self.tokens.setdefault(task_id, TOKEN)

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        self._store_token(current.id)
        super().withdraw(previous, current)

    def delete(self, stored: StoredTask) -> None:
        self._store_token(stored.task.id)
        super().delete(stored)


class RestlessRequestRepository(LateTokenRepository):
    """A request that moves before every write, which no real writer does: the service must give up."""

    def _store_token(self, task_id: str) -> None:
        self.writes += 1
        self.tokens[task_id] = TaskToken(f"workflow-token-{self.writes:04}")


@pytest.fixture
def awaiting(service, owner) -> Task:
    """Alice's high-priority task, assigned to bob, whose request waits with its token stored."""
    return service.create(owner, {"title": "Rotate the keys", "priority": "high", "assignee": "bob"})


@pytest.fixture
def waiting(awaiting, repository) -> Task:
    repository.tokens[awaiting.id] = TOKEN
    return awaiting


# --- decide ---------------------------------------------------------------------------------------


def test_a_decision_is_claimed_on_the_task_before_the_workflow_records_it(
    service, waiting, approver, repository, clock
):
    claim = service.decide(approver, waiting.id, Decision.APPROVE, "go", if_match={1})
    assert claim == ClaimedDecision(Decision.APPROVE, "carol", clock(), "go")
    assert repository.claims[waiting.id] == claim
    assert waiting.id not in repository.tokens


@pytest.mark.parametrize(("decision", "kind"), [(Decision.APPROVE, "approve"), (Decision.REJECT, "reject")])
def test_a_decision_answers_the_workflow_with_the_token_it_claimed(
    service, waiting, approver, approvals, decision, kind
):
    service.decide(approver, waiting.id, decision, if_match={1})
    assert approvals.sent == [(kind, TOKEN, None)]


def test_a_decision_without_a_comment_claims_an_empty_one(service, waiting, approver, repository):
    service.decide(approver, waiting.id, Decision.REJECT, if_match={1})
    assert repository.claims[waiting.id].comment == ""


def test_a_decision_leaves_the_task_awaiting_for_the_workflow_to_record(
    service, waiting, approver, repository
):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    assert repository.get(waiting.id) == waiting


def test_a_second_decision_finds_the_request_claimed(service, waiting, approver, approvals):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    with pytest.raises(NotAwaitingApproval) as refused:
        service.decide(Caller("dave", frozenset({"approvers"})), waiting.id, Decision.REJECT, if_match={1})
    assert "came first" in refused.value.message
    assert len(approvals.sent) == 1


def test_a_decision_before_the_workflow_stored_its_token_is_refused(service, awaiting, approver, approvals):
    with pytest.raises(NotAwaitingApproval) as refused:
        service.decide(approver, awaiting.id, Decision.APPROVE, if_match={1})
    assert "try again in a moment" in refused.value.message
    assert approvals.sent == []


def test_the_owner_may_not_decide_even_as_an_approver(service, waiting, repository):
    with pytest.raises(NotAllowed):
        service.decide(Caller("alice", frozenset({"approvers"})), waiting.id, Decision.APPROVE, if_match={1})
    assert repository.tokens[waiting.id] == TOKEN


@pytest.mark.parametrize("who", ["assignee", "admin"])
def test_who_sees_the_task_but_is_no_approver_is_forbidden_to_decide(service, waiting, who, request):
    with pytest.raises(NotAllowed):
        service.decide(request.getfixturevalue(who), waiting.id, Decision.APPROVE, if_match={1})


def test_a_stranger_cannot_tell_the_task_exists(service, waiting, stranger):
    with pytest.raises(TaskNotFound):
        service.decide(stranger, waiting.id, Decision.APPROVE, if_match={1})


def test_a_decision_on_a_missing_task_is_not_found(service, approver):
    with pytest.raises(TaskNotFound):
        service.decide(approver, "no-such-task", Decision.APPROVE, if_match={1})


def test_an_approver_hears_404_about_a_task_that_never_needed_approval(service, owner, approver):
    """What an approver may read and what the decision route tells them agree: no 404/409 oracle."""
    task = service.create(owner, {"title": "small"})
    with pytest.raises(TaskNotFound):
        service.get(approver, task.id)
    with pytest.raises(TaskNotFound):
        service.decide(approver, task.id, Decision.APPROVE, if_match={1})


def test_an_approver_reads_a_decided_task_and_hears_it_awaits_no_decision(
    service, waiting, approver, repository
):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    repository.claims.clear()
    approved = repository.tasks[waiting.id]
    repository.tasks[waiting.id] = replace(
        approved, approval=replace(approved.approval, status=ApprovalStatus.APPROVED), version=2
    )
    assert service.get(approver, waiting.id).approval.status is ApprovalStatus.APPROVED
    with pytest.raises(NotAwaitingApproval, match="approved"):
        service.decide(approver, waiting.id, Decision.REJECT, if_match={2})


def test_a_decision_on_an_ended_request_closes_it_as_its_timeout_would(
    service, waiting, approver, approvals, repository, clock
):
    approvals.ended.add(TOKEN)
    clock.advance(5)
    with pytest.raises(ApprovalRequestEnded):
        service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    closed = repository.get(waiting.id)
    assert (closed.approval.status, closed.status, closed.version) == (
        ApprovalStatus.EXPIRED,
        Status.CANCELLED,
        waiting.version + 1,
    )
    assert (closed.updated_by, closed.updated_at, closed.correlation_id) == (
        "approval-workflow",
        clock(),
        "req-carol",
    )
    assert waiting.id not in repository.claims


# --- withdraw -------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [{"priority": "low"}, {"status": "cancelled"}])
def test_lowering_or_cancelling_withdraws_the_request_and_ends_the_wait(
    service, waiting, owner, approvals, repository, changes
):
    updated = service.update(owner, waiting.id, changes)
    assert (updated.approval.status, updated.approval.decided_by) == (ApprovalStatus.WITHDRAWN, "alice")
    assert waiting.id not in repository.tokens
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.WITHDRAWN)]


def test_a_withdrawal_before_the_token_was_stored_tells_no_one(service, awaiting, owner, approvals):
    assert service.update(owner, awaiting.id, {"priority": "low"}).approval.status is ApprovalStatus.WITHDRAWN
    assert approvals.sent == []


def test_a_withdrawal_of_a_request_that_had_ended_still_succeeds(
    service, waiting, owner, approvals, repository
):
    approvals.ended.add(TOKEN)
    service.update(owner, waiting.id, {"priority": "low"})
    assert repository.get(waiting.id).approval.status is ApprovalStatus.WITHDRAWN


def test_a_withdrawal_after_an_approver_claimed_a_decision_is_refused(
    service, waiting, owner, approver, repository
):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    with pytest.raises(ApprovalRequestChanged):
        service.update(owner, waiting.id, {"priority": "low"})
    assert repository.get(waiting.id).approval.status is ApprovalStatus.AWAITING


def test_deleting_a_task_awaiting_approval_ends_the_wait(service, waiting, owner, approvals, repository):
    service.delete(owner, waiting.id)
    assert repository.read(waiting.id) is None
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.TASK_DELETED)]


@pytest.fixture
def high_task_on(make_service, owner):
    """A service over the given repository, and alice's high-priority task in it."""

    def make(repository: LateTokenRepository) -> tuple[TaskService, Task]:
        service = make_service(repository)
        return service, service.create(owner, {"title": "Rotate the keys", "priority": "high"})

    return make


@pytest.mark.parametrize("if_match", [None, {1}], ids=["plain", "if-match"])
def test_a_token_stored_after_the_read_is_read_again_and_the_withdrawal_ends_the_wait(
    high_task_on, owner, approvals, if_match
):
    repository = LateTokenRepository()
    service, task = high_task_on(repository)

    withdrawn = service.update(owner, task.id, {"priority": "low"}, if_match)

    assert withdrawn.approval.status is ApprovalStatus.WITHDRAWN
    assert (repository.writes, task.id in repository.tokens) == (2, False)
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.WITHDRAWN)]


def test_a_token_stored_after_the_read_is_read_again_by_the_delete(high_task_on, owner, approvals):
    repository = LateTokenRepository()
    service, task = high_task_on(repository)

    service.delete(owner, task.id)

    assert repository.read(task.id) is None
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.TASK_DELETED)]


@pytest.mark.parametrize("change", ["lower", "delete"])
def test_a_request_that_keeps_moving_is_a_conflict_that_changes_nothing(
    high_task_on, owner, approvals, change
):
    repository = RestlessRequestRepository()
    service, task = high_task_on(repository)

    changes = {
        "lower": lambda: service.update(owner, task.id, {"priority": "low"}),
        "delete": lambda: service.delete(owner, task.id),
    }
    with pytest.raises(
        ApprovalRequestChanged, match=f"the approval request of task {task.id} changed meanwhile"
    ):
        changes[change]()

    assert repository.writes == 3  # REQUEST_MOVED_ATTEMPTS: the retry bound (issue 21)
    assert repository.get(task.id) == task
    assert approvals.sent == []


class TwiceMovedRepository(LateTokenRepository):
    """A request that moves twice under the service's write, then holds still: the most a request moves
    under one write (its token stored, then a claim)."""

    def _store_token(self, task_id: str) -> None:
        self.writes += 1
        if self.writes <= 2:
            self.tokens[task_id] = TaskToken(f"workflow-token-{self.writes:04}")


@pytest.mark.parametrize("change", ["lower", "delete"])
def test_a_request_that_moves_twice_under_a_write_is_still_written_on_the_third_try(
    high_task_on, owner, approvals, change
):
    """The retry bound of three (REQUEST_MOVED_ATTEMPTS, issue 21): two moves are what a request can do
    under one write (its token stored, then a claim), and the caller never hears of them."""
    repository = TwiceMovedRepository()
    service, task = high_task_on(repository)

    {
        "lower": lambda: service.update(owner, task.id, {"priority": "low"}),
        "delete": lambda: service.delete(owner, task.id),
    }[change]()

    assert repository.writes == REQUEST_MOVED_ATTEMPTS == 3
    assert approvals.sent[0][0] == "withdraw"


# --- a decision holds for the version read (issue 14) ---------------------------------------------


def test_a_decision_without_if_match_is_refused_before_anything_is_read(
    service, waiting, approver, repository
):
    with pytest.raises(PreconditionRequired, match="If-Match"):
        service.decide(approver, waiting.id, Decision.APPROVE)
    assert repository.tokens[waiting.id] == TOKEN


def test_a_decision_on_a_version_that_is_no_longer_current_claims_nothing(
    service, waiting, owner, approver, repository, approvals, clock
):
    """The probe: the approver read version 1, the owner rewrote the title, the decision is stale."""
    clock.advance()
    rewritten = service.update(owner, waiting.id, {"title": "Drop the production database"})
    repository.tokens[waiting.id] = TaskToken("the-new-request")
    with pytest.raises(PreconditionFailed):
        service.decide(approver, waiting.id, Decision.APPROVE, if_match={waiting.version})
    assert (repository.claims, repository.get(waiting.id)) == ({}, rewritten)
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.TASK_CHANGED)]


class ChangedBeforeTheClaim(InMemoryTaskRepository):
    """The owner's change lands between the approver's read and their claim: a new version, whose
    request the workflow has already opened (its token stored)."""

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        task = self.tasks[task_id]
        self.tasks[task_id] = replace(task, title="Drop the production database", version=task.version + 1)
        self.tokens[task_id] = TaskToken("the-new-request")
        super().claim_decision(task_id, token, claim, version)


def test_a_change_between_the_read_and_the_claim_makes_the_decision_stale(
    make_service, owner, approver, approvals
):
    repository = ChangedBeforeTheClaim()
    service = make_service(repository)
    task = service.create(owner, {"title": "Rotate staging keys", "priority": "high"})
    repository.tokens[task.id] = TOKEN
    with pytest.raises(PreconditionFailed, match=f"task {task.id} changed after the version in If-Match"):
        service.decide(approver, task.id, Decision.APPROVE, if_match={1})
    assert (repository.claims, approvals.sent) == ({}, [])


class ReopenedBeforeTheClaim(InMemoryTaskRepository):
    """The workflow reopens the request between the approver's read and their claim (as `make dev` does
    on start): a new token, the same version, still awaiting."""

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        self.tokens[task_id] = TaskToken("the-reopened-request")
        super().claim_decision(task_id, token, claim, version)


class EndedBeforeTheClaim(InMemoryTaskRepository):
    """The request times out between the approver's read and their claim: expired, the task cancelled."""

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        task = self.tasks[task_id]
        expired = replace(task.approval, status=ApprovalStatus.EXPIRED)
        self.tasks[task_id] = replace(
            task, approval=expired, status=Status.CANCELLED, version=task.version + 1
        )
        del self.tokens[task_id]
        super().claim_decision(task_id, token, claim, version)


class DeletedBeforeTheClaim(InMemoryTaskRepository):
    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        del self.tasks[task_id], self.tokens[task_id]
        super().claim_decision(task_id, token, claim, version)


class ClaimedBeforeTheClaim(InMemoryTaskRepository):
    """Another approver claims between this approver's read and their claim."""

    def claim_decision(self, task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> None:
        super().claim_decision(task_id, token, replace(claim, decided_by="dave"), version)
        super().claim_decision(task_id, token, claim, version)


@pytest.mark.parametrize(
    "repository_type",
    [ReopenedBeforeTheClaim, EndedBeforeTheClaim, DeletedBeforeTheClaim, ClaimedBeforeTheClaim],
    ids=["reopened", "ended", "deleted", "claimed"],
)
def test_a_claim_lost_to_anything_but_a_change_of_the_task_is_no_stale_precondition(
    make_service, owner, approver, approvals, repository_type
):
    """Only a new version of the task, still awaiting a decision, makes the approver's version stale
    (412); a request reopened, ended or claimed, or a task deleted, means it awaits no decision of theirs
    (409)."""
    repository = repository_type()
    service = make_service(repository)
    task = service.create(owner, {"title": "Rotate staging keys", "priority": "high"})
    repository.tokens[task.id] = TOKEN
    with pytest.raises(NotAwaitingApproval) as refused:
        service.decide(approver, task.id, Decision.APPROVE, if_match={1})
    assert not isinstance(refused.value, PreconditionFailed)
    assert approvals.sent == []


def test_an_approver_who_is_the_assignee_may_not_decide(service, owner, repository):
    task = service.create(owner, {"title": "Rotate the keys", "priority": "high", "assignee": "carol"})
    repository.tokens[task.id] = TOKEN
    with pytest.raises(NotAllowed, match="assignee"):
        service.decide(Caller("carol", frozenset({"approvers"})), task.id, Decision.APPROVE, if_match={1})
    assert repository.claims == {}


# --- a change to the approved work dismisses the approval (issue 14) -----------------------------


def test_changing_an_awaiting_tasks_work_ends_its_request_and_asks_again(
    service, waiting, owner, approvals, repository, clock
):
    clock.advance()
    changed = service.update(owner, waiting.id, {"title": "Drop the production database"})
    assert changed.approval.status is ApprovalStatus.AWAITING
    assert changed.approval.requested_at == clock() != waiting.approval.requested_at
    assert waiting.id not in repository.tokens  # the old request's token: the new execution stores its own
    assert approvals.sent == [("withdraw", TOKEN, Withdrawal.TASK_CHANGED)]


def test_changing_an_approved_tasks_work_asks_again_without_any_wait_to_end(
    service, waiting, owner, approver, approvals, repository, clock
):
    approved = replace(waiting, approval=replace(waiting.approval, status=ApprovalStatus.APPROVED), version=2)
    repository.tasks[waiting.id], repository.tokens = approved, {}
    clock.advance()
    changed = service.update(owner, waiting.id, {"description": "prod, no backup"})
    assert changed.approval == replace(
        approved.approval, status=ApprovalStatus.AWAITING, requested_at=clock()
    )
    assert approvals.sent == []


def test_a_change_that_keeps_the_approval_keeps_the_token(service, waiting, owner, approvals, repository):
    service.update(owner, waiting.id, {"dueDate": "2030-01-31", "tags": ["ops"]})
    assert (repository.tokens[waiting.id], approvals.sent) == (TOKEN, [])


def test_a_dismissal_after_an_approver_claimed_a_decision_is_refused(
    service, waiting, owner, approver, repository
):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    with pytest.raises(ApprovalRequestChanged):
        service.update(owner, waiting.id, {"title": "Drop the production database"})
    assert repository.get(waiting.id) == waiting


# --- a delete racing a decision says so, as a withdrawal does (issue 14) -------------------------


def test_a_delete_after_an_approver_claimed_a_decision_is_refused(
    service, waiting, owner, approver, repository
):
    service.decide(approver, waiting.id, Decision.APPROVE, if_match={1})
    with pytest.raises(ApprovalRequestChanged, match="has just decided"):
        service.delete(owner, waiting.id)
    assert repository.get(waiting.id) == waiting


class DecidedBeforeTheWrite(InMemoryTaskRepository):
    """An approver claims between the owner's read and write, and the workflow records the approval
    before the owner's write is tried again: the task has a new version, approved."""

    def delete(self, stored: StoredTask) -> None:
        task = self.tasks[stored.task.id]
        if task.approval.status is ApprovalStatus.AWAITING:
            self.tokens.pop(task.id, None)
            approved = replace(task.approval, status=ApprovalStatus.APPROVED, decided_by="carol")
            self.tasks[task.id] = replace(task, approval=approved, version=task.version + 1)
        super().delete(stored)

    def withdraw(self, previous: StoredTask, current: Task) -> None:
        self.delete(previous)


@pytest.mark.parametrize("change", ["delete", "lower", "cancel"])
def test_a_write_that_loses_to_a_recorded_decision_is_an_approval_request_conflict(
    make_service, owner, change
):
    repository = DecidedBeforeTheWrite()
    service = make_service(repository)
    task = service.create(owner, {"title": "Rotate the keys", "priority": "high"})
    repository.tokens[task.id] = TOKEN
    writes = {
        "delete": lambda: service.delete(owner, task.id),
        "lower": lambda: service.update(owner, task.id, {"priority": "low"}),
        "cancel": lambda: service.update(owner, task.id, {"status": "cancelled"}),
    }
    with pytest.raises(ApprovalRequestChanged, match="decided or ended meanwhile"):
        writes[change]()
    assert repository.get(task.id).approval.status is ApprovalStatus.APPROVED
