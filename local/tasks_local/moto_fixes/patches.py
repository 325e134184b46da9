"""How the local runtime changes moto: a named set of attribute replacements, installed and removed as
one, and only on the moto version they were checked against (tests/local/test_moto_pin.py)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import moto

Replacement = tuple[Any, str, Any]  # (class or module, attribute, new value)
_MISSING = object()


def check_moto_version(owner: str, written_against: str) -> None:
    """Refuse a moto other than the one `owner` was checked against, naming what to re-check."""
    if moto.__version__ != written_against:
        raise RuntimeError(
            f"{owner} was written against moto {written_against}, not moto {moto.__version__}: re-check "
            "every function in its RELIED_ON against the new moto (tests/local/test_moto_pin.py names the "
            "changed ones), then update MOTO_VERSION"
        )


class MotoPatches:
    """The replacements of one local-runtime module. install() and uninstall() are idempotent and
    thread-safe; `after_change` runs after each (to drop state built while they were on or off)."""

    def __init__(
        self,
        owner: str,
        moto_version: str,
        replacements: Callable[[], list[Replacement]],
        after_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._owner, self._moto_version = owner, moto_version
        self._replacements, self._after_change = replacements, after_change
        self._lock = threading.Lock()
        self._saved: list[Replacement] | None = None

    def install(self) -> None:
        with self._lock:
            if self._saved is not None:
                return
            check_moto_version(self._owner, self._moto_version)
            saved = []
            for target, name, value in self._replacements():
                saved.append((target, name, target.__dict__.get(name, _MISSING)))
                setattr(target, name, value)
            self._saved = saved
            self._after_change()

    def uninstall(self) -> None:
        with self._lock:
            for target, name, value in reversed(self._saved or []):
                if value is _MISSING:
                    delattr(target, name)
                else:
                    setattr(target, name, value)
            self._saved = None
            self._after_change()

    def is_installed(self) -> bool:
        return self._saved is not None

    @contextlib.contextmanager
    def installed(self, enabled: bool = True) -> Iterator[None]:
        """Run a block with the patches on (or off, to compare with moto as it is), then restore."""
        was = self.is_installed()
        self._set(enabled)
        try:
            yield
        finally:
            self._set(was)

    def _set(self, enabled: bool) -> None:
        if enabled:
            self.install()
        else:
            self.uninstall()
