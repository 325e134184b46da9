"""Lambda's execution model, in-process: one container per function, one invocation at a time."""

import contextlib
import itertools
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tasks_local.runtime.manifest import Manifest
from tasks_local.runtime.settings import REPO_ROOT
from tasks_local.runtime.source_modules import PROCESS_MODULES, SourceModules, forget_bytecode

_RUNTIME = Path(__file__).parent
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


def shown(path: Path | str) -> str:
    """A path as the log shows it: from the repository's root when it is in it."""
    path = Path(path)
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _where(exc: BaseException) -> str:
    """The file and line of the function's code that raised: the deepest frame neither importlib's
    nor this runtime's (a handler module that is not there has none)."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<") and not Path(frame.filename).is_relative_to(_RUNTIME)
    ]
    return f" ({shown(frames[-1].filename)}, line {frames[-1].lineno})" if frames else ""


def _init_error(exc: BaseException, module_name: str) -> str:
    """What Lambda's Python runtime reports when a function's code does not import, with where."""
    if isinstance(exc, SyntaxError):
        where = f"{shown(exc.filename or '?')}, line {exc.lineno}"
        return f"Runtime.UserCodeSyntaxError: Syntax error in module '{module_name}': {exc.msg} ({where})"
    if isinstance(exc, ImportError):
        return f"Runtime.ImportModuleError: Unable to import module '{module_name}': {exc}{_where(exc)}"
    return f"{type(exc).__name__}: {exc}{_where(exc)}"


class InitFailed(Exception):
    """The function's code could not be imported. As in Lambda, every invocation fails (and tries the
    init again) until the code imports: the gateway answers 500, a poller's batch fails and is retried."""


class LocalFunction:
    """One function's container: its handler, imported once, invoked one event at a time. A saved
    change (`expire`) retires the container: the next invocation imports the code again (a cold start,
    logged), while an invocation in flight finishes on the code it started with."""

    def __init__(
        self, manifest: Manifest, log_stream: TextIO = sys.stdout, modules: SourceModules = PROCESS_MODULES
    ) -> None:
        self.manifest = manifest
        self.log = PrefixedStream(manifest.name, log_stream)
        self._modules = modules
        self._lock = threading.Lock()  # held by the invocation in flight, and by a cold start
        self._handler: Any = None
        self._containers = 0  # started so far
        self._changes_lock = threading.Lock()
        self._changed: set[Path] = set()  # saved since the handler was imported

    def expire(self, changed: Iterable[Path]) -> None:
        """Files this function's code reads were saved: its next invocation starts a new container."""
        changed = set(changed)
        forget_bytecode(changed)
        with self._changes_lock:
            self._changed.update(changed)

    def warm(self) -> None:
        """Import the handler now (the cold start), so the first request does not pay for it. Code that
        does not import is reported in the log, and each invocation tries again, as Lambda's do."""
        with self._lock, contextlib.suppress(InitFailed):
            self._current_handler()

    def _current_handler(self) -> Any:
        """The handler of the container that takes the next invocation (called under the lock)."""
        with self._changes_lock:
            changed, self._changed = self._changed, set()
        if self._handler is None or changed:
            self._handler = None
            started = time.perf_counter()
            self._handler = self._import_handler(renew=bool(changed))
            self._containers += 1
            if self._containers > 1:  # the first is the start's: `make dev` says when it is ready
                saved = ", ".join(sorted(shown(path) for path in changed))
                self.log.write(
                    f"{f'reloaded: {saved} changed; ' if saved else ''}cold start,"
                    f" init {(time.perf_counter() - started) * 1000:.0f} ms\n"
                )
        return self._handler

    def _import_handler(self, renew: bool) -> Any:
        """The handler; with `renew`, from its files as they are now (a new container after a save).
        Otherwise, as a retry after a failed init is, an import of what is not imported yet."""
        module_name, _, attribute = self.manifest.handler.rpartition(".")
        folder = self.manifest.folder if renew else None
        try:
            with _routed_stdout().routed_to(self.log):  # what the import prints is the function's
                module = self._modules.import_handler(module_name, folder)
        except Exception as exc:
            self.log.write(f"init failed: {_init_error(exc, module_name)}\n")
            raise InitFailed(f"{self.manifest.name}'s code did not import; its log says why") from exc
        if not hasattr(module, attribute):
            self.log.write(
                f"init failed: Runtime.HandlerNotFound: Handler '{attribute}' missing on module"
                f" '{module_name}'\n"
            )
            raise InitFailed(f"{self.manifest.name} has no handler {self.manifest.handler}")
        for handler in logging.getLogger(self.manifest.name).handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(self.log)
        return getattr(module, attribute)

    def retire(self, timeout: float) -> None:
        """Let an invocation in flight finish (for up to `timeout`), then admit no more: we are exiting."""
        self._lock.acquire(timeout=timeout)

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._lock:
            handler = self._current_handler()
            # Metrics are printed (EMF) rather than logged: label them with the function too.
            context = LambdaContext(
                self.manifest.name,
                timeout_ms=self.manifest.timeout_seconds * 1000,
                memory_limit_in_mb=self.manifest.memory_mb,
            )
            with _routed_stdout().routed_to(self.log):
                return handler(event, context)
