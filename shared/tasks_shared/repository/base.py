"""The repository interface the domain service talks to."""

from typing import Protocol

from tasks_shared.listing import ListQuery, Page
from tasks_shared.model import Task


class TaskRepository(Protocol):
    """Every write is conditional: `create` on absence, `replace`/`delete` on the version read.

    A failed condition raises VersionConflict, so no concurrent change is silently overwritten. A write
    changes only the attributes its writer owns (DESIGN §2). Lists may lag the writes a moment: they
    are derived from the table, whoever wrote it.
    """

    def get(self, task_id: str) -> Task | None: ...

    def create(self, task: Task) -> None: ...

    def replace(self, previous: Task, current: Task) -> None: ...

    def delete(self, task: Task) -> None: ...

    def set_expiry(self, task: Task, expires_at: int) -> bool: ...

    def list(self, query: ListQuery, cursor: dict | None) -> Page: ...
