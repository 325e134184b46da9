"""How long `make dev` takes to get ready and to stop, measured from outside as a user sees it.

For each run the script starts `make dev` on free ports with a fresh state directory and times:

  ready     `make dev` started → its `ready` line printed (venv already installed)
  stop      SIGTERM to make → make and the runtime both gone, either
              idle: nothing in flight, or
              busy: right after 20 task creations, while the pollers are publishing and consuming them

Run: .venv/bin/python -m bench.emulator.stack_lifecycle [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from pathlib import Path

from bench._common import report_latencies
from tests.support.harness import LocalStack, start_stack


def _stop_ms(stack: LocalStack) -> float:
    started = time.perf_counter()
    os.kill(stack.process.pid, signal.SIGTERM)
    stack.process.wait(timeout=30)
    return (time.perf_counter() - started) * 1000


def _run(busy: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as state:
        started = time.perf_counter()
        stack = start_stack(Path(state))
        ready_ms = (time.perf_counter() - started) * 1000
        if busy:
            session = stack.session("bench")
            for index in range(20):
                session.post(f"{stack.api_url}/tasks", json={"title": f"in flight {index}"}, timeout=10)
        return ready_ms, _stop_ms(stack)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="stacks started and stopped per condition")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)

    samples: dict[str, list[float]] = {"ready": [], "stop, idle": [], "stop, busy": []}
    for run in range(args.runs):
        for busy in (False, True):
            ready_ms, stop_ms = _run(busy)
            samples["ready"].append(ready_ms)
            samples["stop, busy" if busy else "stop, idle"].append(stop_ms)
        print(f"run {run + 1}/{args.runs} done", flush=True)
    report_latencies("make dev: start and stop (ms)", "phase", samples, args.json)


if __name__ == "__main__":
    main()
