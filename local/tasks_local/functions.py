"""Lambda's execution model, in-process: one container per function, one invocation at a time."""

import contextlib
import importlib
import itertools
import logging
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO

from tasks_local.manifest import Manifest

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
        with self._lock, contextlib.redirect_stdout(self.log):
            return self._handler(event, LambdaContext(self.manifest.name))
