"""A saved change reaches a function's next invocation as a new Lambda container would run it: real
modules written to a folder, imported, saved again and imported again (runtime/functions.py)."""

import gc
import importlib
import os
import py_compile
import sys
import threading
import weakref
from dataclasses import replace

import pytest

from tasks_local.runtime.functions import InitFailed


def _returning(value: str) -> str:
    return f"def handler(event, context):\n    return {value!r}\n"


def test_the_next_invocation_after_a_save_runs_the_saved_code_in_a_new_container(source_tree):
    function = source_tree.function("fn-a", _returning("before"))
    assert function.invoke({}) == "before"

    saved = source_tree.handler_file(function)
    saved.write_text(_returning("after!"))  # the same size, most likely within the same second
    function.expire([saved])

    assert function.invoke({}) == "after!"
    assert f"reloaded: {saved} changed; cold start, init " in source_tree.log.getvalue()


def test_an_edit_that_keeps_the_size_and_the_second_is_not_hidden_by_the_cached_bytecode(source_tree):
    function = source_tree.function("fn-a", _returning("one"))
    saved = source_tree.handler_file(function)
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


def test_an_invocation_in_flight_finishes_on_the_code_it_started_with(source_tree):
    function = source_tree.function("fn-a", BLOCKING_HANDLER)
    function.warm()
    started, release = threading.Event(), threading.Event()
    results: dict[str, str] = {}
    in_flight = threading.Thread(
        target=lambda: results.update(first=function.invoke({"started": started, "release": release}))
    )
    in_flight.start()
    assert started.wait(5)

    saved = source_tree.handler_file(function)
    saved.write_text(_returning("new code"))
    function.expire([saved])
    next_one = threading.Thread(target=lambda: results.update(second=function.invoke({})))
    next_one.start()
    release.set()
    in_flight.join(5)
    next_one.join(5)

    assert results == {"first": "old code", "second": "new code"}


def test_a_save_in_the_shared_folder_reaches_every_function_that_imports_it(source_tree):
    library = source_tree.shared / source_tree.package("library")
    library.mkdir()
    (library / "__init__.py").write_text("")
    (library / "values.py").write_text("VALUE = 'shared before'\n")
    handler = f"from {library.name}.values import VALUE\n\ndef handler(event, context):\n    return VALUE\n"
    functions = [source_tree.function(name, handler) for name in ("fn-a", "fn-b")]
    assert [function.invoke({}) for function in functions] == ["shared before"] * 2

    (library / "values.py").write_text("VALUE = 'shared after!'\n")
    source_tree.modules.expire(source_tree.shared)
    for function in functions:
        function.expire([library / "values.py"])

    assert [function.invoke({}) for function in functions] == ["shared after!"] * 2


def test_code_that_does_not_compile_fails_every_invocation_naming_its_file_and_line_until_fixed(source_tree):
    function = source_tree.function("fn-a", _returning("fine"))
    assert function.invoke({}) == "fine"
    saved = source_tree.handler_file(function)

    saved.write_text("def handler(event, context)\n    return 'broken'\n")
    function.expire([saved])
    for _attempt in range(2):  # each invocation tries the init again, as Lambda's do
        with pytest.raises(InitFailed):
            function.invoke({})
    log = source_tree.log.getvalue()
    assert "init failed: Runtime.UserCodeSyntaxError: Syntax error in module" in log
    assert f"({saved}, line 1)" in log
    assert log.count("init failed") == 2

    saved.write_text(_returning("fixed"))
    function.expire([saved])
    assert function.invoke({}) == "fixed"


def test_an_error_raised_while_importing_names_the_file_and_line_that_raised_it(source_tree):
    function = source_tree.function("fn-a", "import json\n\nCONFIG = undefined_name\n")

    function.warm()  # a failed init at start is reported, and the stack starts all the same

    where = f"({source_tree.handler_file(function)}, line 3)"
    assert f"NameError: name 'undefined_name' is not defined {where}" in source_tree.log.getvalue()
    with pytest.raises(InitFailed):
        function.invoke({})


def test_a_module_the_handler_names_and_that_is_gone_is_lambdas_import_module_error(source_tree):
    function = source_tree.function("fn-a", _returning("fine"))
    function.manifest = replace(function.manifest, handler=f"{source_tree.package('nowhere')}.handler")

    with pytest.raises(InitFailed):
        function.invoke({})

    assert "init failed: Runtime.ImportModuleError: Unable to import module" in source_tree.log.getvalue()


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


def test_the_old_container_is_freed_even_when_its_import_froze_it_from_the_collector(source_tree):
    function = source_tree.function("fn-a", FREEZING_HANDLER)
    old = weakref.ref(function.invoke({}))
    saved = source_tree.handler_file(function)

    saved.write_text(FREEZING_HANDLER + "\n")
    function.expire([saved])
    new = function.invoke({})

    assert old() is None
    assert new is not None
    gc.unfreeze()  # what the test's handler froze belongs to the test process


def test_a_first_import_keeps_the_modules_the_process_imported_already(source_tree):
    function = source_tree.function("fn-a", _returning("fine"))
    module_name = function.manifest.handler.rpartition(".")[0]
    imported = importlib.import_module(module_name)  # as a test, or another tool in the process, would

    function.warm()

    assert sys.modules[module_name] is imported
