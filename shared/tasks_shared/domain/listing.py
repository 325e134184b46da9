"""Who may list a task, and which listing view answers a list request.

Each task is copied into one view per audience (scope) that may list it; the task-indexer function
projects the views from the tasks table's stream, so they follow every writer. A list request resolves
to one scope (two for "own or assigned", merged) plus optional status/priority filters, so a page is one
Query per scope on the views table or one of its indexes: no Scan, no filter expression, at most
limit+1 items read per scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks_shared.domain.approval import ApprovalStatus
from tasks_shared.domain.errors import NotAllowed, ValidationFailed
from tasks_shared.domain.model import Caller, Task
from tasks_shared.domain.paging import DEFAULT_PAGE_SIZE

ALL = "ALL"
# Approvers' queue: every task awaiting approval, whoever owns it, sorted by when approval was requested.
AWAITING = "AWAITING"


def scopes_of(task: Task) -> set[str]:
    """Every audience that lists this task: its owner, its assignee, admins, and approvers while it
    awaits approval. "Own or assigned" merges the OWNER# and ASSIGNEE# scopes when reading, which costs
    a second Query instead of a third copy of every task (docs/data-model.md)."""
    scopes = {f"OWNER#{task.owner_id}", ALL}
    if task.assignee:
        scopes.add(f"ASSIGNEE#{task.assignee}")
    if task.approval.status is ApprovalStatus.AWAITING:
        scopes.add(AWAITING)
    return scopes


def sort_key(task: Task, scope: str = ALL) -> str:
    """Lists sort on creation time (newest first is a descending Query), the approvers' queue on the
    time approval was requested; the id breaks ties."""
    if scope == AWAITING:
        return f"{task.approval.requested_at or task.updated_at}#{task.id}"
    return f"{task.created_at}#{task.id}"


def view_keys(task: Task) -> set[tuple[str, str]]:
    """The (scope, sk) key of each of the task's views."""
    return {(scope, sort_key(task, scope)) for scope in scopes_of(task)}


@dataclass(frozen=True)
class ListQuery:
    """A list request after authorization: the scopes it merges (one, or two for "own or assigned"),
    optional filters, a page size."""

    scopes: tuple[str, ...]
    status: str | None = None
    priority: str | None = None
    limit: int = DEFAULT_PAGE_SIZE
    oldest_first: bool = False

    @classmethod
    def for_caller(
        cls,
        caller: Caller,
        *,
        owner: str | None = None,
        assignee: str | None = None,
        status: str | None = None,
        priority: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> ListQuery:
        """Non-admins list their own or assigned tasks and may filter on themselves only; admins list all."""
        if owner and assignee:
            raise ValidationFailed(
                "filter on owner or on assignee, not both",
                [{"field": "owner", "issue": "cannot be combined with assignee"}],
            )
        person, role = (owner, "OWNER") if owner else (assignee, "ASSIGNEE")
        if person and person != caller.user_id and not caller.is_admin:
            raise NotAllowed(f"only admins may list tasks of other users ({role.lower()}={person})")
        own_or_assigned = (f"OWNER#{caller.user_id}", f"ASSIGNEE#{caller.user_id}")
        default = (ALL,) if caller.is_admin else own_or_assigned
        scopes = (f"{role}#{person}",) if person else default
        return cls(scopes=scopes, status=status, priority=priority, limit=limit)

    @classmethod
    def awaiting_approval(cls, caller: Caller, *, limit: int = DEFAULT_PAGE_SIZE) -> ListQuery:
        """The approvers' queue (GET /approvals): tasks awaiting approval, oldest request first."""
        if not caller.is_approver:
            raise NotAllowed("only approvers may list the tasks awaiting approval")
        return cls(scopes=(AWAITING,), limit=limit, oldest_first=True)

    @property
    def fingerprint(self) -> str:
        """What a page token is bound to: the same scope and filters (the page size may change)."""
        return f"{'+'.join(self.scopes)}|{self.status or ''}|{self.priority or ''}"
