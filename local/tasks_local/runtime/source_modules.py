"""Fresh imports of the repository's source folders, for a function's next cold start after a save.

All the functions run in this one process and share its `sys.modules` (runtime/functions.py). A saved
change must reach a function's next invocation as a new Lambda container would see it: its modules
imported again from the files. A function not reloaded yet keeps the module objects it holds, so an
invocation in flight finishes on the old code. So a reload drops from `sys.modules` the modules
imported from the function's own folder, and those of any shared folder (shared/, every function's)
changed since its modules were imported, then imports the handler again.
"""

import contextlib
import gc
import importlib
import importlib.util
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType


def forget_bytecode(sources: Iterable[Path]) -> None:
    """Delete the cached bytecode of saved Python files. Python trusts a `.pyc` whose recorded source
    size and modification time (whole seconds) match the file's: an edit that keeps the size within
    the same second (a `1` made a `2`) would otherwise import the old code."""
    for source in sources:
        if source.suffix == ".py":
            with contextlib.suppress(OSError):
                Path(importlib.util.cache_from_source(str(source))).unlink()


def _folder_prefixes(folders: Iterable[Path]) -> tuple[str, ...]:
    """Each folder as written and resolved: a module's file is named from the import path it was
    found on, which may or may not go through a symbolic link (resolving each module's is slow)."""
    relative = [str(folder) for folder in folders if not folder.is_absolute()]
    if relative:  # "." would stand for the working directory, and the virtualenv may be under it
        raise ValueError(f"a function's folder must be absolute, not {', '.join(relative)}")
    return tuple(
        {
            os.path.join(variant, "")
            for folder in folders
            for variant in (str(folder), os.path.realpath(folder))
        }
    )


def _file_of(module: object) -> str:
    """Read from the module's namespace: a lazy module's `__getattr__` would import something."""
    file = module.__dict__.get("__file__") if isinstance(module, ModuleType) else None
    return file if isinstance(file, str) else ""


class SourceModules:
    """The process's one record of which shared folders changed since their modules were imported."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expired: set[Path] = set()

    def expire(self, folder: Path) -> None:
        """A file under `folder`, which several functions import from, changed: the next new container
        imports the folder's modules again, once; the functions renewed after it share those modules."""
        with self._lock:
            self._expired.add(folder)

    def import_handler(self, module_name: str, renew_folder: Path | None = None) -> ModuleType:
        """`module_name` imported; with `renew_folder` (a new container), again from the files of that
        folder and of every expired one. A first import drops nothing: what others imported stays."""
        with self._lock:  # one import at a time: another function's must not drop modules mid-import
            if renew_folder is not None:
                self._drop({renew_folder, *self._expired})
                self._expired.clear()
            return importlib.import_module(module_name)

    @staticmethod
    def _drop(folders: set[Path]) -> None:
        prefixes = _folder_prefixes(folders)
        # Over a copy (other functions' threads may be importing), gone before the collection below.
        dropped = [
            name for name, module in list(sys.modules.items()) if _file_of(module).startswith(prefixes)
        ]
        for name in dropped:
            del sys.modules[name]
        if dropped:
            importlib.invalidate_caches()  # a module file added since the last import is found
            # tasks_api.lambda_entry freezes what its import made (gc.freeze: the collector neither
            # walks nor frees it), and would freeze the old container's modules with the new ones:
            # unfreeze them, and collect what no function uses any more, first.
            gc.unfreeze()
            gc.collect()


PROCESS_MODULES = SourceModules()  # sys.modules is the process's: so is the record of it
