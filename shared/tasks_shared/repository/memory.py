"""An in-memory repository with the same contract as DynamoDB, for unit tests of the domain (its lists
are up to date at once: the views' lag is the DynamoDB adapter's to test)."""

from dataclasses import replace

from tasks_shared.errors import VersionConflict
from tasks_shared.listing import ListQuery, Page, scopes_of, sort_key
from tasks_shared.model import Task


class InMemoryTaskRepository:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    def get(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def create(self, task: Task) -> None:
        if task.id in self.tasks:
            raise VersionConflict(f"task {task.id} already exists")
        self.tasks[task.id] = task

    def replace(self, previous: Task, current: Task) -> None:
        self._check_version(previous)
        self.tasks[current.id] = current

    def delete(self, task: Task) -> None:
        self._check_version(task)
        del self.tasks[task.id]

    def set_expiry(self, task: Task, expires_at: int) -> bool:
        stored = self.tasks.get(task.id)
        if stored is None or stored.completed_at != task.completed_at or stored.expires_at is not None:
            return False
        self.tasks[task.id] = replace(stored, expires_at=expires_at)
        return True

    def list(self, query: ListQuery, cursor: dict | None) -> Page:
        matching = sorted(
            (
                task
                for task in self.tasks.values()
                if scopes_of(task) & set(query.scopes)
                and query.status in (None, task.status)
                and query.priority in (None, task.priority)
            ),
            key=lambda task: sort_key(task, query.scopes[0]),
            reverse=not query.oldest_first,
        )
        if cursor:
            after = (lambda sk: sk > cursor["sk"]) if query.oldest_first else (lambda sk: sk < cursor["sk"])
            matching = [task for task in matching if after(sort_key(task, query.scopes[0]))]
        page = matching[: query.limit]
        more = len(matching) > query.limit
        return Page(items=page, cursor={"sk": sort_key(page[-1], query.scopes[0])} if more else None)

    def _check_version(self, task: Task) -> None:
        stored = self.tasks.get(task.id)
        if stored is None or stored.version != task.version:
            raise VersionConflict(f"task {task.id} changed since it was read")
