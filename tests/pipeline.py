"""Drive the event path in-process with the local runtime's own pollers (Lambda's event source mappings)."""

import io
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from tasks_local.functions import LambdaContext
from tasks_local.pollers import Poller


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
