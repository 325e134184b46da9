"""Drive the event path in-process with the local runtime's own pollers (Lambda's event source mappings)."""

import io
import os
import threading
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from tasks_local.runtime.functions import LambdaContext
from tasks_local.runtime.pollers import Poller, StreamPoller


class InProcess:
    """What a poller needs of a function: a name, a log, and invoke(); here any handler callable."""

    def __init__(self, name: str, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        self.manifest = SimpleNamespace(name=name)
        self.log = io.StringIO()
        self._handler = handler

    def invoke(self, event: dict[str, Any]) -> Any:
        return self._handler(event, LambdaContext(self.manifest.name))


def drain(pollers: Iterable[Poller]) -> None:
    """Poll every poller, round after round, until none finds anything: the pipeline is quiet."""
    pollers = list(pollers)
    busy = True
    while busy:
        rounds = [poller.poll_once() for poller in pollers]  # all of them, no short-circuit
        busy = any(rounds)


class Indexer:
    """The task-indexer behind the lists, driven by the local runtime's stream poller as Lambda's stream
    mapping drives it: lists lag writes (in AWS too) until `catch_up()` projects every committed change."""

    def __init__(self) -> None:
        from task_indexer import handler  # noqa: PLC0415 - the function's container starts with moto

        spec = {"batchSize": 100, "maximumRetryAttempts": 2, "startingPosition": "TRIM_HORIZON"}
        function = InProcess("task-indexer", handler.handle)
        self._poller = StreamPoller(function, spec, threading.Event(), os.environ["TASKS_TABLE"], None)

    def catch_up(self) -> None:
        drain([self._poller])
