"""Who may list a task, and which listing view answers a list request.

Each task is copied into one view per audience (scope) that may list it. A list request resolves to
exactly one scope plus optional status/priority filters, so it is always a single Query on the views
table or one of its indexes: no Scan, no filter expression, at most limit+1 items read per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks_shared.errors import NotAllowed, ValidationFailed
from tasks_shared.model import Caller, Task

ALL = "ALL"


def scopes_of(task: Task) -> set[str]:
    """Every audience that lists this task: its owner, its assignee, both as members, and admins."""
    scopes = {f"OWNER#{task.owner_id}", f"MEMBER#{task.owner_id}", ALL}
    if task.assignee:
        scopes |= {f"ASSIGNEE#{task.assignee}", f"MEMBER#{task.assignee}"}
    return scopes


def sort_key(task: Task) -> str:
    """Newest first is a descending Query on creation time; the id breaks ties."""
    return f"{task.created_at}#{task.id}"


@dataclass(frozen=True)
class ListQuery:
    """A list request after authorization: one scope, optional filters, a page size."""

    scope: str
    status: str | None = None
    priority: str | None = None
    limit: int = 20

    @classmethod
    def for_caller(
        cls,
        caller: Caller,
        *,
        owner: str | None = None,
        assignee: str | None = None,
        status: str | None = None,
        priority: str | None = None,
        limit: int = 20,
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
        default = ALL if caller.is_admin else f"MEMBER#{caller.user_id}"
        scope = f"{role}#{person}" if person else default
        return cls(scope=scope, status=status, priority=priority, limit=limit)

    @property
    def fingerprint(self) -> str:
        """What a page token is bound to: the same scope and filters (the page size may change)."""
        return f"{self.scope}|{self.status or ''}|{self.priority or ''}"


@dataclass(frozen=True)
class Page:
    items: list[Task]
    cursor: dict | None
