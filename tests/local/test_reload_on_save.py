"""Reload on save, end to end: the local stack of a copy of the sources, edited while it runs (never this
repository's files), answering over HTTP. Its runtime is the copy's own, on this virtualenv's Python
(tests/support/harness.py says how)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.support.harness import LocalStack, copy_sources, start_stack, stop_stack
from tests.support.polling import EFFECT_DEADLINE_SECONDS, eventually

# One worker runs them all (`make test` spreads tests over workers): the module's one stack starts once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reload-on-save")]

API_HANDLER = Path("services/tasks-api/tasks_api/handler.py")
INDEXER_HANDLER = Path("services/task-indexer/task_indexer/handler.py")
HEALTH_BODY = '{"status": "healthy", "service": SERVICE}'
RETRIED_DEADLINE_SECONDS = 10.0  # a failed stream batch is retried after a backoff of up to 2 s


@dataclass
class CopiedStack:
    root: Path
    stack: LocalStack

    @property
    def api_url(self) -> str:
        return self.stack.api_url

    def said(self, text: str, since: int = 0) -> bool:
        """Whether the runtime's output (from its line `since` on) has a line with `text`, a log prefix's
        padding squeezed."""
        return any(text in " ".join(line.split()) for line in self.stack.output[since:])

    def comes_to_say(self, text: str, since: int) -> bool:
        return eventually(lambda: self.said(text, since), EFFECT_DEADLINE_SECONDS)

    def read(self, relative: Path) -> str:
        return (self.root / relative).read_text()

    def save(self, relative: Path, text: str) -> None:
        (self.root / relative).write_text(text)

    @contextmanager
    def edits_of(self, relative: Path) -> Iterator[str]:
        """The file's text, put back when the test ends (the stack is the module's): the runtime has
        seen it put back before the next test starts."""
        original, lines = self.read(relative), len(self.stack.output)
        try:
            yield original
        finally:
            if self.read(relative) != original:
                self.save(relative, original)
                assert self.comes_to_say(f"reload | saved {relative}", lines)


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> Iterator[CopiedStack]:
    """One stack for the module: starting one takes seconds; each test puts back what it edits."""
    root = copy_sources(tmp_path_factory.mktemp("repository"))
    stack = start_stack(tmp_path_factory.mktemp("state"), source=root)
    yield CopiedStack(root, stack)
    stop_stack(stack)


def _with_syntax_error(source: str, path: Path) -> tuple[str, int]:
    """The module with a definition left unclosed at its end, and the line Python reports for it."""
    broken = f"{source}\n\ndef unfinished(:\n    pass\n"
    try:
        compile(broken, str(path), "exec")
    except SyntaxError as exc:
        return broken, exc.lineno
    raise AssertionError("the edit was meant not to compile")


def _health(copied: CopiedStack) -> requests.Response:
    return requests.get(f"{copied.api_url}/health", timeout=10)


def test_a_saved_handler_answers_the_next_requests_within_two_seconds_with_the_data_kept(copied):
    alice = copied.stack.session("alice")
    task = alice.post(f"{copied.api_url}/tasks", json={"title": "made before the save"}, timeout=10).json()
    marker, since = f"saved-{uuid.uuid4().hex[:8]}", len(copied.stack.output)
    edited_body = f'{{"status": "healthy", "version": "{marker}"}}'

    with copied.edits_of(API_HANDLER) as source:
        copied.save(API_HANDLER, source.replace(HEALTH_BODY, edited_body))

        assert eventually(lambda: _health(copied).json().get("version") == marker, EFFECT_DEADLINE_SECONDS)
        assert alice.get(f"{copied.api_url}/tasks/{task['id']}", timeout=10).json() == task
        assert copied.stack.process.poll() is None  # the same runtime: no restart
        assert sum("ready: API on" in line for line in copied.stack.output) == 1
        assert copied.said(f"tasks-api | reloaded: {API_HANDLER} changed; cold start, init", since)


def test_a_syntax_error_fails_requests_as_lambda_would_naming_the_file_and_line_and_a_fix_recovers(copied):
    alice = copied.stack.session("alice")
    task = alice.post(f"{copied.api_url}/tasks", json={"title": "made before the error"}, timeout=10).json()
    since = len(copied.stack.output)

    with copied.edits_of(API_HANDLER) as source:
        broken, line = _with_syntax_error(source, API_HANDLER)
        copied.save(API_HANDLER, broken)

        assert eventually(lambda: _health(copied).status_code == 500, EFFECT_DEADLINE_SECONDS)
        assert _health(copied).json() == {"message": "Internal Server Error"}  # API Gateway's, not a hang
        # The runtime's output is read from its pipe as it comes: the 500 can be seen before its log line.
        assert copied.comes_to_say("tasks-api | init failed: Runtime.UserCodeSyntaxError", since)
        assert copied.comes_to_say(f"({API_HANDLER}, line {line})", since)

        copied.save(API_HANDLER, source)

        assert eventually(lambda: _health(copied).status_code == 200, EFFECT_DEADLINE_SECONDS)
        assert alice.get(f"{copied.api_url}/tasks/{task['id']}", timeout=10).json() == task


def test_a_consumer_that_does_not_import_fails_its_batches_which_a_fix_lets_through(copied):
    alice = copied.stack.session("alice")
    since = len(copied.stack.output)

    with copied.edits_of(INDEXER_HANDLER) as source:
        copied.save(INDEXER_HANDLER, _with_syntax_error(source, INDEXER_HANDLER)[0])
        assert copied.comes_to_say(f"reload | saved {INDEXER_HANDLER}", since)
        task = alice.post(f"{copied.api_url}/tasks", json={"title": "indexed after a fix"}, timeout=10).json()

        assert copied.comes_to_say("task-indexer | invocation failed: InitFailed", since)
        assert copied.said("task-indexer | init failed: Runtime.UserCodeSyntaxError", since)

        def listed() -> bool:
            page = alice.get(f"{copied.api_url}/tasks", timeout=10).json()
            return task["id"] in {item["id"] for item in page["items"]}

        assert not listed()  # the stream batch that lists it keeps failing, and is kept for a retry

        copied.save(INDEXER_HANDLER, source)

        assert eventually(listed, RETRIED_DEADLINE_SECONDS)
