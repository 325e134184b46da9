"""Unit-test fixtures: in-memory fakes, a clock the test controls, predictable ids, no network."""

import itertools
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tasks_shared.adapters.memory import InMemoryTaskRepository, RecordingApprovals
from tasks_shared.domain.model import Caller, Task
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService

CREATED_AT = "2024-05-01T09:00:00.000000Z"
SECRET = b"unit-test-pagination-secret-0001"


class FakeClock:
    """Returns the same instant until the test moves it on."""

    def __init__(self, start: datetime = datetime(2024, 5, 1, 9, tzinfo=UTC)) -> None:
        self._now = start

    def __call__(self) -> str:
        return self._now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def advance(self, seconds: float = 1) -> None:
        self._now += timedelta(seconds=seconds)


class SequentialIds:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"task-{next(self._counter):04d}"


class _NoNetwork(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("unit tests must not open sockets: use an in-memory fake")


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch):
    monkeypatch.setattr(socket, "socket", _NoNetwork)


# Callers: alice owns, bob is assigned, mallory is a stranger, carol approves, root administers.
@pytest.fixture
def owner() -> Caller:
    return Caller("alice", correlation_id="req-alice")


@pytest.fixture
def assignee() -> Caller:
    return Caller("bob", correlation_id="req-bob")


@pytest.fixture
def stranger() -> Caller:
    return Caller("mallory")


@pytest.fixture
def approver() -> Caller:
    return Caller("carol", frozenset({"approvers"}), correlation_id="req-carol")


@pytest.fixture
def admin() -> Caller:
    return Caller("root", frozenset({"admins"}), correlation_id="req-root")


@pytest.fixture
def created_at() -> str:
    return CREATED_AT


@pytest.fixture
def make_task(created_at) -> Callable[..., Task]:
    """A task owned by alice, created at `created_at`, from client fields (a title by default)."""

    def make(**fields: Any) -> Task:
        return Task.new("task-1", "alice", {"title": "Write the unit tests", **fields}, created_at)

    return make


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> InMemoryTaskRepository:
    return InMemoryTaskRepository()


@pytest.fixture
def page_tokens() -> PageTokens:
    return PageTokens(SECRET)


@pytest.fixture
def approvals() -> RecordingApprovals:
    """The workflow's side of the approval protocol: what the service told it."""
    return RecordingApprovals()


@pytest.fixture
def make_service(page_tokens, approvals, clock) -> Callable[..., TaskService]:
    """A service over the given repository, with the test's clock and sequential ids."""

    def make(repository) -> TaskService:
        return TaskService(repository, page_tokens, approvals, clock=clock, new_id=SequentialIds())

    return make


@pytest.fixture
def service(make_service, repository) -> TaskService:
    return make_service(repository)
