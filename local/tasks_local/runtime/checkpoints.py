"""Where each stream poller is in its table's stream, kept across restarts as Lambda's event source
mapping keeps its position: a poller that starts again resumes after the last record it processed,
and the emulator keeps every record some poller has not processed yet (runtime/persistence.py).

Written by the runtime after each batch a poller is done with (processed, or described on its
on-failure queue); read by the emulator when it writes a snapshot. A file written whole and renamed
over the old one, so either process always reads a whole file.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from tasks_local.runtime.settings import write_private

FILE = "checkpoints.json"


class Checkpoints:
    def __init__(self, directory: Path) -> None:
        self._path = directory / FILE
        self._lock = threading.Lock()
        self._positions: dict[str, dict[str, int]] | None = None  # table -> reader -> sequence number

    def _read(self) -> dict[str, dict[str, int]]:
        try:
            return json.loads(self._path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def get(self, reader: str, table: str) -> int | None:
        """The last sequence number `reader` is done with in `table`'s stream; None when it never was."""
        with self._lock:
            if self._positions is None:
                self._positions = self._read()
            return self._positions.get(table, {}).get(reader)

    def set(self, reader: str, table: str, sequence_number: int) -> None:
        with self._lock:
            if self._positions is None:
                self._positions = self._read()
            self._positions.setdefault(table, {})[reader] = sequence_number
            write_private(self._path, json.dumps(self._positions).encode())

    def processed_by_every_reader(self, table: str) -> int | None:
        """The last record every reader of `table`'s stream is done with; None when no reader is known."""
        positions = self._read().get(table, {})
        return min(positions.values()) if positions else None
