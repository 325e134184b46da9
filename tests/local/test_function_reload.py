"""A saved change reaches a function's next invocation as a new Lambda container would run it: real
modules written to a folder, imported, saved again and imported again (runtime/functions.py)."""

import gc
import io
import os
import py_compile
import sys
import threading
import uuid
import weakref
from dataclasses import replace
from pathlib import Path

import pytest

from tasks_local.runtime.functions import InitFailed, LocalFunction
from tasks_local.runtime.manifest import Manifest
from tasks_local.runtime.source_modules import SourceModules


class Sources:
    """Function folders and a shared folder under a temporary root, with packages named for this test
    alone (sys.modules is the test process's), dropped from sys.modules at the end."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.monkeypatch = root, monkeypatch
        self.suffix = uuid.uuid4().hex[:8]
        self.modules = SourceModules()
        self.log = io.StringIO()
        self.shared = root / "shared"
        self.shared.mkdir()
        monkeypatch.syspath_prepend(str(self.shared))

    def package(self, name: str) -> str:
        return f"{name}_{self.suffix}"

    def function(self, name: str, handler_source: str) -> LocalFunction:
        folder = self.root / "services" / name
        package = folder / self.package(name.replace("-", "_"))
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "handler.py").write_text(handler_source)
        self.monkeypatch.syspath_prepend(str(folder))
        manifest = Manifest(name, f"{package.name}.handler.handler", {}, [], [], folder)
        return LocalFunction(manifest, self.log, modules=self.modules)

    def handler_file(self, function: LocalFunction) -> Path:
        module = function.manifest.handler.rpartition(".")[0]
        return function.manifest.folder / Path(*module.split(".")).with_suffix(".py")

    def forget(self) -> None:
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(self.root)):
                del sys.modules[name]


@pytest.fixture
def sources(tmp_path, monkeypatch):
    made = Sources(tmp_path, monkeypatch)
    yield made
    made.forget()


def _returning(value: str) -> str:
    return f"def handler(event, context):\n    return {value!r}\n"


def test_the_next_invocation_after_a_save_runs_the_saved_code_in_a_new_container(sources):
    function = sources.function("fn-a", _returning("before"))
    assert function.invoke({}) == "before"

    saved = sources.handler_file(function)
    saved.write_text(_returning("after!"))  # the same size, most likely within the same second
    function.expire([saved])

    assert function.invoke({}) == "after!"
    assert f"reloaded: {saved} changed; cold start, init " in sources.log.getvalue()


def test_an_edit_that_keeps_the_size_and_the_second_is_not_hidden_by_the_cached_bytecode(sources):
    function = sources.function("fn-a", _returning("one"))
    saved = sources.handler_file(function)
    py_compile.compile(str(saved), doraise=True)  # the .pyc an import writes (unless PYTHONDONTWRITEBYTECODE)
    assert function.invoke({}) == "one"
    stamp = saved.stat()

    saved.write_text(_returning("two"))
    os.utime(saved, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # what the .pyc recorded: size and time
    function.expire([saved])

    assert function.invoke({}) == "two"


BLOCKING_HANDLER = """
def handler(event, context):
    event["started"].set()
    event["release"].wait(5)
    return "old code"
"""


def test_an_invocation_in_flight_finishes_on_the_code_it_started_with(sources):
    function = sources.function("fn-a", BLOCKING_HANDLER)
    function.warm()
    started, release = threading.Event(), threading.Event()
    results: dict[str, str] = {}
    in_flight = threading.Thread(
        target=lambda: results.update(first=function.invoke({"started": started, "release": release}))
    )
    in_flight.start()
    assert started.wait(5)

    saved = sources.handler_file(function)
    saved.write_text(_returning("new code"))
    function.expire([saved])
    next_one = threading.Thread(target=lambda: results.update(second=function.invoke({})))
    next_one.start()
    release.set()
    in_flight.join(5)
    next_one.join(5)

    assert results == {"first": "old code", "second": "new code"}


def test_a_save_in_the_shared_folder_reaches_every_function_that_imports_it(sources):
    library = sources.shared / sources.package("library")
    library.mkdir()
    (library / "__init__.py").write_text("")
    (library / "values.py").write_text("VALUE = 'shared before'\n")
    handler = f"from {library.name}.values import VALUE\n\ndef handler(event, context):\n    return VALUE\n"
    functions = [sources.function(name, handler) for name in ("fn-a", "fn-b")]
    assert [function.invoke({}) for function in functions] == ["shared before"] * 2

    (library / "values.py").write_text("VALUE = 'shared after!'\n")
    sources.modules.expire(sources.shared)
    for function in functions:
        function.expire([library / "values.py"])

    assert [function.invoke({}) for function in functions] == ["shared after!"] * 2


def test_code_that_does_not_compile_fails_every_invocation_naming_its_file_and_line_until_fixed(sources):
    function = sources.function("fn-a", _returning("fine"))
    assert function.invoke({}) == "fine"
    saved = sources.handler_file(function)

    saved.write_text("def handler(event, context)\n    return 'broken'\n")
    function.expire([saved])
    for _attempt in range(2):  # each invocation tries the init again, as Lambda's do
        with pytest.raises(InitFailed):
            function.invoke({})
    log = sources.log.getvalue()
    assert "init failed: Runtime.UserCodeSyntaxError: Syntax error in module" in log
    assert f"({saved}, line 1)" in log
    assert log.count("init failed") == 2

    saved.write_text(_returning("fixed"))
    function.expire([saved])
    assert function.invoke({}) == "fixed"


def test_an_error_raised_while_importing_names_the_file_and_line_that_raised_it(sources):
    function = sources.function("fn-a", "import json\n\nCONFIG = undefined_name\n")

    function.warm()  # a failed init at start is reported, and the stack starts all the same

    assert f"NameError: name 'undefined_name' is not defined ({sources.handler_file(function)}, line 3)" in (
        sources.log.getvalue()
    )
    with pytest.raises(InitFailed):
        function.invoke({})


def test_a_module_the_handler_names_and_that_is_gone_is_lambdas_import_module_error(sources):
    function = sources.function("fn-a", _returning("fine"))
    function.manifest = replace(function.manifest, handler=f"{sources.package('nowhere')}.handler")

    with pytest.raises(InitFailed):
        function.invoke({})

    assert "init failed: Runtime.ImportModuleError: Unable to import module" in sources.log.getvalue()


FREEZING_HANDLER = """
import gc

class Container:
    pass

CONTAINER = Container()
CONTAINER.itself = CONTAINER  # a cycle: only the collector frees it
gc.freeze()  # as tasks_api.lambda_entry does after its import


def handler(event, context):
    return CONTAINER
"""


def test_the_old_container_is_freed_even_when_its_import_froze_it_from_the_collector(sources):
    function = sources.function("fn-a", FREEZING_HANDLER)
    old = weakref.ref(function.invoke({}))
    saved = sources.handler_file(function)

    saved.write_text(FREEZING_HANDLER + "\n")
    function.expire([saved])
    new = function.invoke({})

    assert old() is None
    assert new is not None
    gc.unfreeze()  # what the test's handler froze belongs to the test process
