"""An in-memory repository with the same contract as DynamoDB, for unit tests of the domain."""

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

    def list(self, query: ListQuery, cursor: dict | None) -> Page:
        matching = sorted(
            (
                task
                for task in self.tasks.values()
                if query.scope in scopes_of(task)
                and query.status in (None, task.status)
                and query.priority in (None, task.priority)
            ),
            key=sort_key,
            reverse=True,
        )
        if cursor:
            matching = [task for task in matching if sort_key(task) < cursor["sk"]]
        page = matching[: query.limit]
        more = len(matching) > query.limit
        return Page(items=page, cursor={"sk": sort_key(page[-1])} if more else None)

    def _check_version(self, task: Task) -> None:
        stored = self.tasks.get(task.id)
        if stored is None or stored.version != task.version:
            raise VersionConflict(f"task {task.id} changed since it was read")
