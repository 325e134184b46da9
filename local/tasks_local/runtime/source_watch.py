"""Saves, seen as they happen: the folders whose files the running stack was built from are watched,
and each batch of saved files is handed on (runtime/reload.py says what a save changes).

Why watchfiles: it is the watcher uvicorn's `--reload` uses, maintained, with wheels for every
platform; it reads the operating system's notifications (inotify on Linux, FSEvents on macOS) through
the Rust `notify` crate and falls back to polling where there are none (WSL's Windows drives). So an
idle stack reads no file at all, a save is seen in under 0.1 s (docs/local-runtime.md), and an
editor's burst of events for one save (write a temporary file, rename it, set its mode) arrives as one
batch. Polling ourselves would stat every watched file several times a second, on cores the stack
already shares.
"""

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchfiles import Change, DefaultFilter, watch

WATCHED_SUFFIXES = (".py", ".json", ".yml", ".yaml")  # code, manifests, schemas, rules, the ASL
_STEP_MS = 50  # a batch is handed on once no file has changed for this long
_TIMEOUT_MS = 1  # back in Python after each quiet step: to say it is watching, and to stop


class SourceFilter(DefaultFilter):
    """The files the stack is built from, and the folders added among them: a file saved into a new
    folder at once can be written before the folder itself is watched (inotify watches each folder on
    its own, once told it exists), so the new folder stands for what it holds."""

    def __call__(self, change: Change, path: str) -> bool:
        wanted = path.endswith(WATCHED_SUFFIXES) or (change == Change.added and os.path.isdir(path))
        return wanted and super().__call__(change, path)


class SourceWatcher(threading.Thread):
    """The watching thread. `settled` is set once every folder is watched (`watching`: a save after it
    is seen), or once watching has failed, which is said in the log."""

    def __init__(
        self,
        folders: Iterable[Path],
        on_save: Callable[[set[Path]], None],
        stop: threading.Event,
        log: Any,
    ) -> None:
        super().__init__(name="source-watcher", daemon=True)
        self.folders = [folder for folder in folders if folder.is_dir()]
        self.on_save = on_save
        self.stop = stop
        self.log = log
        self.settled = threading.Event()
        self.watching = False

    def run(self) -> None:
        try:
            self._watch(force_polling=None)  # the system's notifications where there are
        # The notifications could not be set up (inotify's limit of watches per user, reached by other
        # programs, is an OSError or watchfiles' own RuntimeError, depending on where it is hit).
        except (OSError, RuntimeError) as exc:
            self.log.write(f"file notifications unavailable ({exc}); polling the files instead\n")
            self._watch(force_polling=True)
        finally:
            self.settled.set()

    def _watch(self, force_polling: bool | None) -> None:
        batches = watch(
            *self.folders,
            watch_filter=SourceFilter(),
            step=_STEP_MS,
            rust_timeout=_TIMEOUT_MS,
            yield_on_timeout=True,  # an empty batch: the first says the folders are all being watched
            stop_event=self.stop,
            raise_interrupt=False,
            force_polling=force_polling,
        )
        for changes in batches:
            self.watching = True
            self.settled.set()
            if not changes:
                continue
            try:
                self.on_save({Path(path) for _change, path in changes})
            except Exception as exc:  # one save that could not be applied must not end the watching
                self.log.write(f"could not apply the saved files: {type(exc).__name__}: {exc}\n")
