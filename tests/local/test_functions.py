"""The local Lambda runtime: what functions running at the same time print keeps its own label."""

import io
import sys
import threading
from pathlib import Path

from tasks_local.runtime.functions import LocalFunction
from tasks_local.runtime.manifest import Manifest

HANDLERS = """
import threading

both_running = threading.Barrier(2, timeout=5)


def handler(event, context):
    both_running.wait()  # the other function is mid-invocation too
    print(f"{context.function_name} metric, timeout {context.get_remaining_time_in_millis() > 20_000}")
    both_running.wait()
"""


def test_concurrent_functions_print_under_their_own_names(tmp_path, monkeypatch):
    (tmp_path / "concurrent_handlers.py").write_text(HANDLERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stdout", terminal)
    functions = [
        LocalFunction(Manifest(name, "concurrent_handlers.handler", {}, [], [], Path(), 30), terminal)
        for name in ("fn-a", "fn-b")
    ]
    threads = [threading.Thread(target=function.invoke, args=({},)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("the runtime's own line")

    lines = [" ".join(line.split()) for line in terminal.getvalue().splitlines()]
    assert set(lines[:2]) == {"fn-a | fn-a metric, timeout True", "fn-b | fn-b metric, timeout True"}
    assert lines[2] == "the runtime's own line"
