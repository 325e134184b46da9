"""A repository's source layout in a temporary folder (services/<function>/, shared/), with real modules
and manifests, for the tests of reload on save: they save files here, never in this repository."""

import io
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks_local.runtime.functions import LocalFunction
from tasks_local.runtime.manifest import load
from tasks_local.runtime.source_modules import SourceModules


class SourceTree:
    """Packages are named for this test alone (sys.modules is the test process's), and are dropped
    from sys.modules by `forget` at the end."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.monkeypatch = root, monkeypatch
        self.suffix = uuid.uuid4().hex[:8]
        self.modules = SourceModules()
        self.log = io.StringIO()
        self.shared = root / "shared"
        self.shared.mkdir()
        monkeypatch.syspath_prepend(str(self.shared))

    def package(self, name: str) -> str:
        return f"{name.replace('-', '_')}_{self.suffix}"

    def function(self, name: str, handler_source: str, **manifest: Any) -> LocalFunction:
        """A function whose package holds `handler.py`, with its manifest (`function.yml`): a name, a
        handler, and the other keys given (`environment`, `events`...)."""
        folder = self.root / "services" / name
        package = folder / self.package(name)
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "handler.py").write_text(handler_source)
        self.monkeypatch.syspath_prepend(str(folder))
        self.write_manifest(folder, {"name": name, "handler": f"{package.name}.handler.handler", **manifest})
        return LocalFunction(load(folder / "function.yml"), self.log, modules=self.modules)

    @staticmethod
    def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
        path = folder / "function.yml"
        path.write_text(yaml.safe_dump(manifest))
        return path

    @staticmethod
    def handler_file(function: LocalFunction) -> Path:
        module = function.manifest.handler.rpartition(".")[0]
        return function.manifest.folder / Path(*module.split(".")).with_suffix(".py")

    def forget(self) -> None:
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(self.root)):
                del sys.modules[name]
