"""The local stack's state on disk: a snapshot of everything, and a journal of every change since.

The emulator appends each change (an item written, a stream record added, a queue's messages, an
object, a secret) as one JSON line, written to the operating system before the request that made it
is answered: a `kill -9` of the stack loses none of them, and a machine that loses power loses at most
the last second (the journal is fsynced once a second while it changes). Every change is idempotent (a
record by its sequence number, a queue by its whole content), so replaying a change the snapshot
already holds changes nothing.

A generation is a snapshot and the journal written after it. A new generation (at each start, and
when the journal grows) is written beside the old one and made current by renaming `current.json`,
which names it: whatever the moment a crash comes, one whole generation is current, and the journals
of any newer generation (begun but not yet made current) are replayed after it. Nothing is loaded
silently when it was written for another table definition or by another format: the start says what
it found, and sets the old state aside rather than deleting it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
CURRENT = "current.json"
FSYNC_SECONDS = 1.0
COMPACT_AFTER_BYTES = 64 * 1024 * 1024  # a journal this long is folded into a new snapshot


@dataclass(frozen=True)
class Identity:
    """What a state was written for: this store's format, the tables' definition, and moto's version
    (the format is DynamoDB's own JSON, so another moto version still reads it: said, not refused)."""

    definitions: str  # sha256 of the table definitions
    moto: str
    format: int = FORMAT

    def refusal(self, found: dict[str, Any]) -> str | None:
        """Why a state of `found` identity cannot be loaded here; None when it can."""
        if found.get("format") != self.format:
            return f"it was written in format {found.get('format')}, this runtime reads format {self.format}"
        if found.get("definitions") != self.definitions:
            return "the table definitions changed since it was written (shared/tasks_shared/definitions)"
        return None


@dataclass
class Loaded:
    """A state read back: its snapshot, the changes journaled after it, and what was odd about it."""

    snapshot: dict[str, Any]
    changes: list[dict[str, Any]]
    written_by: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class StateStore:
    """One stack's state directory (`.local/state-<AWS_PORT>/`), used by the emulator process only."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._journal: int | None = None  # the current journal's file descriptor, opened for appends
        self._generation = 0
        self._written = 0
        self._unsynced = False
        self._stopped = threading.Event()
        self._syncer: threading.Thread | None = None

    # --- reading ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.directory / CURRENT).is_file()

    def load(self, identity: Identity) -> Loaded:
        """The current generation and every journal written since it began; ValueError (saying why)
        when it cannot be loaded here."""
        current = json.loads((self.directory / CURRENT).read_text())
        refusal = identity.refusal(current["identity"])
        if refusal:
            raise ValueError(refusal)
        generation = int(current["generation"])
        snapshot = json.loads((self.directory / f"snapshot-{generation}.json").read_text())
        loaded = Loaded(snapshot, [], current["identity"])
        for journal in sorted(self._journals(), key=_generation_of):
            if _generation_of(journal) >= generation:
                loaded.changes += self._read_journal(journal, loaded.notes)
        if current["identity"].get("moto") != identity.moto:
            loaded.notes.append(
                f"written by moto {current['identity'].get('moto')}, read into moto {identity.moto} "
                "(the format is DynamoDB's and SQS's own JSON)"
            )
        return loaded

    @staticmethod
    def _read_journal(path: Path, notes: list[str]) -> Iterator[dict[str, Any]]:
        lines = path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                if number < len(lines) - 1:
                    raise ValueError(f"{path.name} line {number} is not JSON (not its last line)") from None
                notes.append(f"{path.name}: its last line was cut short by a crash, and is left out")

    def _journals(self) -> list[Path]:
        return list(self.directory.glob("journal-*.jsonl"))

    # --- writing ------------------------------------------------------------------------------

    def begin(self, export: Callable[[], dict[str, Any]], identity: Identity) -> None:
        """A new current generation: journal into it from now on, then write what `export` returns as
        its snapshot and make it current. The journal is switched first, so a change made while the
        state is exported is journaled in the new generation (replaying it over the snapshot changes
        nothing twice); the older generations' files go once the new one is current."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            generation = (
                max([self._generation, *(_generation_of(path) or 0 for path in self._journals())]) + 1
            )
            path = self.directory / f"journal-{generation}.jsonl"
            journal = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            previous, self._journal, self._generation, self._written = self._journal, journal, generation, 0
            if previous is not None:
                os.fsync(previous)
                os.close(previous)
        _write_atomically(self.directory / f"snapshot-{generation}.json", json.dumps(export()).encode())
        current = {"generation": generation, "identity": identity.__dict__, "written_at": time.time()}
        _write_atomically(self.directory / CURRENT, json.dumps(current).encode())  # the commit point
        for old in self.directory.iterdir():
            if (_generation_of(old) or generation) < generation:
                old.unlink(missing_ok=True)
        self._start_syncer()

    def resume(self) -> None:
        """Journal on into the newest generation's journal: what was just loaded is its state already."""
        with self._lock:
            newest = max((_generation_of(path) or 0 for path in self._journals()), default=0)
            current = json.loads((self.directory / CURRENT).read_text())["generation"]
            self._generation = max(newest, int(current))
            path = self.directory / f"journal-{self._generation}.jsonl"
            self._journal = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._written = path.stat().st_size
        self._start_syncer()

    def _start_syncer(self) -> None:
        if self._syncer is None:
            self._syncer = threading.Thread(target=self._sync_loop, name="state-fsync", daemon=True)
            self._syncer.start()

    def append(self, change: dict[str, Any]) -> None:
        line = json.dumps(change, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            if self._journal is None:
                return  # not journaling yet (restoring, or persistence off)
            os.write(self._journal, line)
            self._written += len(line)
            self._unsynced = True

    def should_compact(self) -> bool:
        """The journal has grown enough to fold into a new snapshot (`begin` again)."""
        return self._written > COMPACT_AFTER_BYTES

    def _sync_loop(self) -> None:
        while not self._stopped.wait(FSYNC_SECONDS):
            with self._lock:
                if self._journal is not None and self._unsynced:
                    os.fsync(self._journal)
                    self._unsynced = False

    def close(self) -> None:
        self._stopped.set()
        with self._lock:
            if self._journal is not None:
                os.fsync(self._journal)
                os.close(self._journal)
                self._journal = None

    def set_aside(self, why: str) -> Path:
        """Keep the directory's state under a new name (never deleted), so the stack starts empty."""
        aside = self.directory.with_name(f"{self.directory.name}.{time.strftime('%Y%m%d-%H%M%S')}-{why}")
        self.directory.rename(aside)
        return aside


def _generation_of(path: Path) -> int | None:
    stem = path.name.split(".")[0]
    kind, _, number = stem.partition("-")
    return int(number) if kind in ("snapshot", "journal") and number.isdigit() else None


def _write_atomically(path: Path, data: bytes) -> None:
    """Written beside, fsynced, then renamed over: the file is whole or as it was, never half."""
    temporary = path.with_name(f".{path.name}.tmp")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(data)  # private: it holds the stack's secrets (the page-token key)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
