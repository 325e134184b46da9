"""Lambda's execution model, in-process: one container per function, one invocation at a time."""

import contextlib
import importlib
import itertools
import logging
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from tasks_local.runtime.manifest import Manifest

_COLORS = itertools.cycle(["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"])
_RESET = "\033[0m"


class PrefixedStream:
    """Prefixes each line a function logs with its name, colored on a terminal."""

    def __init__(self, name: str, stream: TextIO) -> None:
        color = next(_COLORS) if stream.isatty() else ""
        self._prefix = f"{color}{name:>15} |{_RESET if color else ''} "
        self._stream = stream
        self._at_line_start = True

    def write(self, text: str) -> int:
        """Prefix at line starts only: print() writes a line and its newline in two calls."""
        out = []
        for line in text.splitlines(keepends=True):
            out.append(self._prefix + line if self._at_line_start else line)
            self._at_line_start = line.endswith("\n")
        self._stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


class _ThreadRoutedStdout:
    """The process's sys.stdout while functions run: what a function prints (its EMF metrics) goes to
    its own labelled stream, even while other functions print in other threads; the rest goes on to
    the real stdout. contextlib.redirect_stdout would swap sys.stdout for every thread at once."""

    def __init__(self, default: TextIO) -> None:
        self._default = default
        self._local = threading.local()

    def _target(self) -> TextIO:
        return getattr(self._local, "stream", None) or self._default

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._default.isatty()

    @contextlib.contextmanager
    def routed_to(self, stream: Any) -> Iterator[None]:
        previous, self._local.stream = getattr(self._local, "stream", None), stream
        try:
            yield
        finally:
            self._local.stream = previous


_install_lock = threading.Lock()


def _routed_stdout() -> _ThreadRoutedStdout:
    """The router, installed as sys.stdout the first time a function runs."""
    with _install_lock:
        if not isinstance(sys.stdout, _ThreadRoutedStdout):
            sys.stdout = _ThreadRoutedStdout(sys.stdout)
        return sys.stdout


@dataclass
class LambdaContext:
    """What a handler reads from its context object."""

    function_name: str
    timeout_ms: int = 10_000
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.timeout_ms - int((time.monotonic() - self.started) * 1000))


class LocalFunction:
    def __init__(self, manifest: Manifest, log_stream: TextIO = sys.stdout) -> None:
        self.manifest = manifest
        self.log = PrefixedStream(manifest.name, log_stream)
        self._lock = threading.Lock()
        self._handler = None

    def warm(self) -> None:
        """Import the handler now (the cold start), so the first request does not pay for it."""
        with self._lock:
            if self._handler is None:
                self._handler = self._load()

    def _load(self) -> Any:
        module_name, _, attribute = self.manifest.handler.rpartition(".")
        module = importlib.import_module(module_name)
        for handler in logging.getLogger(self.manifest.name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(self.log)
        return getattr(module, attribute)

    def retire(self, timeout: float) -> None:
        """Let an invocation in flight finish (for up to `timeout`), then admit no more: we are exiting."""
        self._lock.acquire(timeout=timeout)

    def invoke(self, event: dict[str, Any]) -> Any:
        self.warm()
        # Metrics are printed (EMF) rather than logged: label them with the function too.
        context = LambdaContext(
            self.manifest.name,
            timeout_ms=self.manifest.timeout_seconds * 1000,
            memory_limit_in_mb=self.manifest.memory_mb,
        )
        with self._lock, _routed_stdout().routed_to(self.log):
            return self._handler(event, context)
