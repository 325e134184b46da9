"""The emulator's side of the stack's persistence: what it finds at start, the restore, the journal.

At start the emulator only reads what the state directory holds. The runtime then creates the
resources from their definitions (tables, queues, bucket, secret, bus, workflow) and asks, through
`POST /_local/state`, for the state to be put back into them: the emulator restores the snapshot and
the journal (or, asked for a fresh start or given a state it cannot load, sets the old one aside),
writes the result as a new generation and journals every change from then on. The answer says what
was found and what was done, for the runtime to print.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import moto

from tasks_local.moto_fixes import state as moto_state
from tasks_local.runtime.checkpoints import Checkpoints
from tasks_local.runtime.state_store import Identity, StateStore
from tasks_shared.tables import definitions

CONTROL_PATH = "/_local/state"
ACCOUNT = "123456789012"  # moto's default account, the one the local stack uses
COMPACT_CHECK_SECONDS = 5.0


def identity() -> Identity:
    written = json.dumps(definitions(), sort_keys=True).encode()
    return Identity(hashlib.sha256(written).hexdigest(), moto.__version__)


class Persistence:
    """One emulator's state directory, restored once on request and journaled from then on."""

    def __init__(self, directory: Path, region: str) -> None:
        self.store = StateStore(directory)
        self.region = region
        self.checkpoints = Checkpoints(directory)
        self._restored = threading.Event()

    def open(self, fresh: bool) -> dict[str, Any]:
        """Restore what the directory holds (unless `fresh`, or it cannot be loaded: then it is set aside),
        begin a new generation from the result, and journal from now on. What happened, said."""
        if self._restored.is_set():
            return {"said": ["the state was restored already"], "restored": {}}
        report: dict[str, Any] = {"directory": str(self.store.directory), "said": [], "restored": {}}
        resumed = False
        if self.store.exists() and fresh:
            report["said"].append(f"FRESH: the kept state was set aside in {self.store.set_aside('fresh')}")
        elif self.store.exists():
            try:
                loaded = self.store.load(identity())
            except (ValueError, OSError, KeyError) as exc:
                aside = self.store.set_aside("unloadable")
                report["said"].append(f"the kept state cannot be loaded ({exc}): set aside in {aside}")
            else:
                report["restored"] = moto_state.restore(loaded.snapshot, loaded.changes, ACCOUNT, self.region)
                report["said"] += loaded.notes
                resumed = True
        else:
            report["said"].append("no kept state: starting empty")
        moto_state.PATCHES.install()
        moto_state.Recording.to(self.store.append)
        if resumed:  # the files hold what moto holds now: journal on after them
            self.store.resume()
        else:
            self.store.begin(self._export, identity())
        self._restored.set()
        threading.Thread(target=self._compact_when_long, name="state-compaction", daemon=True).start()
        return report

    def _export(self) -> dict[str, Any]:
        return moto_state.export(ACCOUNT, self.region, self.checkpoints.processed_by_every_reader)

    def _compact_when_long(self) -> None:
        while True:
            time.sleep(COMPACT_CHECK_SECONDS)
            if self.store.should_compact():
                self.store.begin(self._export, identity())


class StateControl:
    """WSGI middleware: `POST /_local/state` ({"fresh": bool}) opens the persistence; all else is moto's."""

    def __init__(self, app: Callable[..., Any], persistence: Persistence) -> None:
        self._app = app
        self._persistence = persistence

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != CONTROL_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        asked = json.loads(environ["wsgi.input"].read(length) or b"{}")
        body = json.dumps(self._persistence.open(fresh=bool(asked.get("fresh")))).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
