"""Task use cases: authorization, rules and optimistic concurrency around the repository."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from typing import Any

from tasks_shared.domain.errors import NotAllowed, PreconditionFailed, TaskNotFound, VersionConflict
from tasks_shared.domain.listing import ListQuery
from tasks_shared.domain.model import Caller, Task, utcnow
from tasks_shared.domain.paging import Page, PageTokens, Paging
from tasks_shared.services.ports import TaskRepository


class TaskService:
    def __init__(
        self,
        repository: TaskRepository,
        page_tokens: PageTokens,
        clock: Callable[[], str] = utcnow,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._repository = repository
        self._paging = Paging(page_tokens)
        self._clock = clock
        self._new_id = new_id

    def create(self, caller: Caller, fields: dict[str, Any]) -> Task:
        task = Task.new(self._new_id(), caller.user_id, fields, self._clock()).stamped(caller)
        self._repository.create(task)
        return task

    def get(self, caller: Caller, task_id: str) -> Task:
        task = self._repository.get(task_id)
        if task is None or not task.is_visible_to(caller):
            raise TaskNotFound(task_id)
        return task

    def list(self, caller: Caller, query: ListQuery, next_token: str | None = None) -> Page[Task]:
        """A page of the query's tasks; its `next` is the token of the next page."""
        binding = f"{caller.user_id}|{query.fingerprint}"
        return self._paging.read(binding, next_token, lambda cursor: self._repository.list(query, cursor))

    def update(
        self, caller: Caller, task_id: str, changes: dict[str, Any], if_match: Collection[int] | None = None
    ) -> Task:
        """Apply changes to the version read; with If-Match, to that version only (else 412)."""
        current = self.get(caller, task_id)
        if not current.may_edit(caller, set(changes)):
            raise NotAllowed(
                "only the owner or an admin may change this task; the assignee may change its status"
            )
        self._check_precondition(current, if_match)
        updated = current.with_changes(changes, self._clock())
        if updated is current:
            return current
        updated = updated.stamped(caller)
        self._write(lambda: self._repository.replace(current, updated), if_match)
        return updated

    def delete(self, caller: Caller, task_id: str, if_match: Collection[int] | None = None) -> None:
        current = self.get(caller, task_id)
        if not current.may_delete(caller):
            raise NotAllowed("only the owner or an admin may delete this task")
        self._check_precondition(current, if_match)
        self._write(lambda: self._repository.delete(current), if_match)

    @staticmethod
    def _check_precondition(task: Task, if_match: Collection[int] | None) -> None:
        if if_match is not None and task.version not in if_match:
            asked = ", ".join(f'"{version}"' for version in sorted(if_match)) or "no version we issue"
            raise PreconditionFailed(
                f'task {task.id} has changed: its ETag is "{task.version}", If-Match asked for {asked}'
            )

    @staticmethod
    def _write(write: Callable[[], None], if_match: Collection[int] | None) -> None:
        try:
            write()
        except VersionConflict as exc:
            if if_match is not None:
                raise PreconditionFailed("the task changed after the version in If-Match") from exc
            raise
