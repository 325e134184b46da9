"""The watching thread of `make dev` (runtime/source_watch.py), on a real folder with watchfiles."""

import io
import threading

import pytest

from tasks_local.runtime.source_watch import SourceWatcher
from tests.support.polling import eventually

SEEN_DEADLINE_SECONDS = 5.0  # a save is seen in ~50 ms; the deadline only bounds a failure


@pytest.fixture
def watched(tmp_path):
    """A watcher of `tmp_path`, watching, with what it hands on; stopped at the end."""
    batches: list[set] = []
    stop = threading.Event()
    watcher = SourceWatcher([tmp_path], batches.append, stop, io.StringIO())
    watcher.start()
    assert watcher.settled.wait(SEEN_DEADLINE_SECONDS)
    assert watcher.watching
    yield batches
    stop.set()
    watcher.join(SEEN_DEADLINE_SECONDS)
    assert not watcher.is_alive()


def _seen(batches: list[set]) -> set:
    return set().union(*batches)


def test_a_file_saved_in_a_watched_folder_is_handed_on(watched, tmp_path):
    saved = tmp_path / "handler.py"

    saved.write_text("VALUE = 1\n")

    assert eventually(lambda: saved in _seen(watched), SEEN_DEADLINE_SECONDS)


def test_a_file_saved_in_a_new_folder_is_handed_on_or_its_folder_is(watched, tmp_path):
    """inotify watches a new folder once told it exists: a file written into it at once may come first."""
    folder = tmp_path / "new_package"
    folder.mkdir()
    (folder / "__init__.py").write_text("")

    assert eventually(lambda: {folder, folder / "__init__.py"} & _seen(watched), SEEN_DEADLINE_SECONDS)


def test_files_the_stack_is_not_built_from_are_not_handed_on(watched, tmp_path):
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / ".handler.py.swp").write_text("vim's")
    (tmp_path / "notes.txt").write_text("not code")
    marker = tmp_path / "function.yml"

    marker.write_text("name: fn\n")  # written last: once it is seen, the others would have been

    assert eventually(lambda: marker in _seen(watched), SEEN_DEADLINE_SECONDS)
    assert _seen(watched) == {marker}


def test_a_save_that_cannot_be_applied_is_said_and_the_watching_goes_on(tmp_path):
    log, applied, stop = io.StringIO(), [], threading.Event()

    def apply(saved: set) -> None:
        if any(path.name == "bad.json" for path in saved):
            raise ValueError("not applicable")
        applied.append(saved)

    watcher = SourceWatcher([tmp_path], apply, stop, log)
    watcher.start()
    assert watcher.settled.wait(SEEN_DEADLINE_SECONDS)
    try:
        (tmp_path / "bad.json").write_text("{")
        assert eventually(lambda: "not applicable" in log.getvalue(), SEEN_DEADLINE_SECONDS)
        (tmp_path / "good.json").write_text("{}")
        assert eventually(lambda: applied, SEEN_DEADLINE_SECONDS)
    finally:
        stop.set()
        watcher.join(SEEN_DEADLINE_SECONDS)
    assert "could not apply the saved files: ValueError: not applicable" in log.getvalue()
