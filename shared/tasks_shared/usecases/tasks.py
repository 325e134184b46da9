"""Task use cases: authorization, rules and optimistic concurrency around the repository, and the API's
side of the approval protocol (docs/approval-workflow.md): claiming a decision, withdrawing a request."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from tasks_shared.domain.approval import ApprovalStatus, ClaimedDecision, Decision
from tasks_shared.domain.errors import (
    ApprovalRequestChanged,
    ApprovalRequestEnded,
    NotAllowed,
    NotAwaitingApproval,
    PreconditionFailed,
    PreconditionRequired,
    TaskNotFound,
    VersionConflict,
)
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Caller, Task, utcnow
from tasks_shared.domain.paging import Page, PageTokens, Paging
from tasks_shared.usecases.ports import ApprovalRequests, StoredTask, TaskRepository, Withdrawal

_T = TypeVar("_T")

REQUEST_MOVED_ATTEMPTS = 3  # a request moves at most twice under a write: its token stored, then a claim


class _RequestMoved(Exception):
    """Only the approval request changed between the read and the write; the task's version did not."""


class TaskService:
    def __init__(
        self,
        repository: TaskRepository,
        page_tokens: PageTokens,
        approvals: ApprovalRequests,
        clock: Callable[[], str] = utcnow,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._repository = repository
        self._paging = Paging(page_tokens)
        self._approvals = approvals
        self._clock = clock
        self._new_id = new_id

    def create(self, caller: Caller, fields: dict[str, Any]) -> Task:
        task = Task.new(self._new_id(), caller.user_id, fields, self._clock()).stamped(caller)
        self._repository.create(task)
        return task

    def get(self, caller: Caller, task_id: str) -> Task:
        return self._read_visible(caller, task_id).task

    def list(self, caller: Caller, query: ListQuery, next_token: str | None = None) -> Page[Task]:
        """A page of the query's tasks; its `next` is the token of the next page."""
        binding = f"{caller.user_id}|{query.fingerprint}"
        return self._paging.read(binding, next_token, lambda cursor: self._repository.list(query, cursor))

    def update(
        self, caller: Caller, task_id: str, changes: dict[str, Any], if_match: Collection[int] | None = None
    ) -> Task:
        """Apply changes to the version read; with If-Match, to that version only (else 412). A change
        that withdraws the approval request ends the workflow's wait too."""
        return self._again_if_request_moved(task_id, lambda: self._update(caller, task_id, changes, if_match))

    def delete(self, caller: Caller, task_id: str, if_match: Collection[int] | None = None) -> None:
        self._again_if_request_moved(task_id, lambda: self._delete(caller, task_id, if_match))

    def _update(
        self, caller: Caller, task_id: str, changes: dict[str, Any], if_match: Collection[int] | None
    ) -> Task:
        stored = self._read_visible(caller, task_id)
        current = stored.task
        if not current.may_edit(caller, set(changes)):
            raise NotAllowed(
                "only the owner or an admin may change this task; the assignee may change its status"
            )
        self._check_precondition(current, if_match)
        updated = current.with_changes(changes, self._clock(), caller.user_id)
        if updated is current:
            return current
        updated = updated.stamped(caller)
        ending = _ended_request(current, updated)
        if ending is None:
            self._write(lambda: self._repository.replace(current, updated), stored, if_match)
            return updated
        _refuse_if_decision_claimed(stored)
        self._write(lambda: self._repository.withdraw(stored, updated), stored, if_match)
        self._end_request(stored, ending)
        return updated

    def _delete(self, caller: Caller, task_id: str, if_match: Collection[int] | None) -> None:
        stored = self._read_visible(caller, task_id)
        if not stored.task.may_delete(caller):
            raise NotAllowed("only the owner or an admin may delete this task")
        self._check_precondition(stored.task, if_match)
        _refuse_if_decision_claimed(stored)
        self._write(lambda: self._repository.delete(stored), stored, if_match)
        self._end_request(stored, Withdrawal.TASK_DELETED)

    def decide(
        self,
        caller: Caller,
        task_id: str,
        decision: Decision,
        comment: str | None = None,
        if_match: Collection[int] | None = None,
    ) -> ClaimedDecision:
        """Claim the request for this decision on the version the approver read (If-Match: one claim
        wins, and none on a version that is no longer current), then answer the workflow, which records
        it on the task. An approver sees a task with an approval record as GET /tasks/{id} shows it,
        and hears 404 about any other, like everyone who may not see it."""
        if if_match is None:
            raise PreconditionRequired(
                "a decision names the version it decides: send If-Match with the task's ETag, as read "
                "from GET /tasks/{taskId} or GET /approvals"
            )
        stored = self._read_visible(caller, task_id)
        task = stored.task
        task.check_decision_by(caller)
        self._check_precondition(task, if_match)
        token = stored.approval_token
        if token is None:
            raise NotAwaitingApproval(
                f"another approver's decision on task {task_id} came first"
                if stored.decision_claimed
                else f"the approval request of task {task_id} is still being opened: try again in a moment"
            )
        claim = ClaimedDecision(decision, caller.user_id, self._clock(), comment or "")
        try:
            self._repository.claim_decision(task_id, token, claim, task.version)
        except NotAwaitingApproval as exc:
            if self._changed_under_request(task):
                raise PreconditionFailed(
                    f"task {task_id} changed after the version in If-Match: read it again and decide on it"
                ) from exc
            raise
        answer = self._approvals.approve if decision is Decision.APPROVE else self._approvals.reject
        try:
            answer(token)
        except ApprovalRequestEnded:
            self._repository.expire_claimed(task_id, claim, self._clock(), caller.correlation_id)
            raise
        return claim

    def _changed_under_request(self, read: Task) -> bool:
        """Whether a lost claim lost to a change of the task (a new version, still awaiting), rather
        than to another approver's decision or the request's end."""
        now = self._repository.read(read.id)
        return (
            now is not None
            and now.task.version != read.version
            and now.task.approval.status is ApprovalStatus.AWAITING
            and not now.decision_claimed
        )

    def _read_visible(self, caller: Caller, task_id: str) -> StoredTask:
        stored = self._repository.read(task_id)
        if stored is None or not stored.task.is_visible_to(caller):
            raise TaskNotFound(task_id)
        return stored

    def _end_request(self, stored: StoredTask, reason: Withdrawal) -> None:
        """Tell the workflow its wait is over; a request that had ended already needs no telling."""
        if stored.approval_token is not None:
            with contextlib.suppress(ApprovalRequestEnded):
                self._approvals.withdraw(stored.approval_token, reason)

    @staticmethod
    def _check_precondition(task: Task, if_match: Collection[int] | None) -> None:
        if if_match is not None and task.version not in if_match:
            asked = ", ".join(f'"{version}"' for version in sorted(if_match)) or "no version we issue"
            raise PreconditionFailed(
                f'task {task.id} has changed: its ETag is "{task.version}", If-Match asked for {asked}'
            )

    def _write(self, write: Callable[[], None], read: StoredTask, if_match: Collection[int] | None) -> None:
        """A failed condition is another writer's change: of the task (409, or 412 under If-Match; a
        decision recorded or a request ended meanwhile is APPROVAL_REQUEST_CHANGED), or of its approval
        request alone, which moves no version (tried again: see _again_if_request_moved)."""
        try:
            write()
        except VersionConflict as exc:
            now = self._repository.read(read.task.id)
            if now is not None and now.task.version == read.task.version:
                raise _RequestMoved from exc
            if if_match is not None:
                raise PreconditionFailed("the task changed after the version in If-Match") from exc
            if now is not None and now.task.approval != read.task.approval:
                raise ApprovalRequestChanged(
                    f"the approval request of task {read.task.id} was decided or ended meanwhile: read the "
                    "task again"
                ) from exc
            raise

    @staticmethod
    def _again_if_request_moved(task_id: str, attempt: Callable[[], _T]) -> _T:
        """Read, decide and write again when only the approval request moved in between (the workflow
        stored its token, or an approver claimed): the version the caller read, and any If-Match, still
        hold, so the caller need not hear of it. A request that keeps moving is a 409."""
        for _ in range(REQUEST_MOVED_ATTEMPTS - 1):
            with contextlib.suppress(_RequestMoved):
                return attempt()
        try:
            return attempt()
        except _RequestMoved as moved:
            raise ApprovalRequestChanged(
                f"the approval request of task {task_id} changed meanwhile (the workflow opened it, or an "
                "approver decided): read the task again and retry"
            ) from moved


def _ended_request(current: Task, updated: Task) -> Withdrawal | None:
    """Why an update ends the request that awaits a decision: withdrawn (lowered or cancelled), or
    dismissed because the approved work changed (a new request replaces it). None when none ends."""
    if current.approval.status is not ApprovalStatus.AWAITING or updated.approval == current.approval:
        return None
    if updated.approval.status is ApprovalStatus.AWAITING:
        return Withdrawal.TASK_CHANGED
    return Withdrawal.WITHDRAWN


def _refuse_if_decision_claimed(stored: StoredTask) -> None:
    """An approver's claimed decision is on its way to the task: a write that would end the request
    waits until it is recorded, so the decision is never silently lost."""
    if stored.decision_claimed:
        raise ApprovalRequestChanged(
            f"an approver has just decided on task {stored.task.id}: read it again in a moment"
        )
