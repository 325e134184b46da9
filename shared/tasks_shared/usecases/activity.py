"""The use cases behind GET /stats and GET /tasks/{taskId}/history."""

from __future__ import annotations

from tasks_shared.domain.activity import HistoryEntry, OwnerStats
from tasks_shared.domain.model import Caller
from tasks_shared.domain.paging import DEFAULT_PAGE_SIZE, Page, PageTokens, Paging
from tasks_shared.usecases.ports import ActivityStore
from tasks_shared.usecases.tasks import TaskService


class ActivityService:
    def __init__(self, repository: ActivityStore, tasks: TaskService, page_tokens: PageTokens) -> None:
        self._repository = repository
        self._tasks = tasks
        self._paging = Paging(page_tokens)

    def stats(self, caller: Caller) -> OwnerStats:
        return self._repository.stats(caller.user_id)

    def history(
        self, caller: Caller, task_id: str, limit: int = DEFAULT_PAGE_SIZE, next_token: str | None = None
    ) -> Page[HistoryEntry]:
        """The task's audit trail for whoever may read the task (anyone else: TaskNotFound); its `next`
        is the token of the next page."""
        task = self._tasks.get(caller, task_id)
        return self._paging.read(
            f"history|{caller.user_id}|{task.id}",
            next_token,
            lambda cursor: self._repository.history(task.id, limit, cursor),
            valid=self._repository.is_history_cursor,
        )
