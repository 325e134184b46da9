"""Reload on save, as a developer sees it: from saving a file to the first response of the new code.

The script copies the sources to a temporary folder, starts that copy's `make dev` runtime (on this
virtualenv, as tests/local/test_reload_on_save.py does; the repository's files are never edited), and
alternates two saves, each followed by GET /health requests sent back to back:

  handler   services/tasks-api/tasks_api/handler.py, its /health body changed: tasks-api alone reloads
  shared    shared/tasks_shared/domain/errors.py, a comment added: every function reloads (tasks-api's
            is the one measured, on its next request)

and times, per save:

  seen      save → the runtime's `reload | saved ...` line (the watcher handed the save on)
  served    save → the first response from the new code, to requests sent from `seen` on (handler:
            the new body; shared: the request whose reload the function logged)
  init      the cold start the function logged (`cold start, init N ms`: importing the code again and
            collecting the old container)

It also reads the runtime's resident memory before the first save and after the last, to show that
old containers are freed rather than kept, and times what watching adds to `make dev`'s start: from
starting the watcher on the copy's folders (in this process) to its first word that it is watching,
which `make dev` waits for before it prints `ready`.

Run: .venv/bin/python -m bench.emulator.reload [--rounds 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench._common import print_table, report_latencies
from tasks_local.runtime.reload import SourceLayout
from tasks_local.runtime.source_watch import SourceWatcher
from tests.support.harness import LocalStack, copy_sources, start_stack, stop_stack

HANDLER = Path("services/tasks-api/tasks_api/handler.py")
SHARED = Path("shared/tasks_shared/domain/errors.py")
HEALTH_BODY = '{"status": "healthy", "service": SERVICE}'
DEADLINE_SECONDS = 30.0
_INIT = re.compile(r"tasks-api \| reloaded: .* cold start, init (\d+) ms")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _said(stack: LocalStack, since: int, text: str) -> str | None:
    for line in stack.output[since:]:
        if text in " ".join(line.split()):
            return line
    return None


def _save_and_time(
    stack: LocalStack, root: Path, relative: Path, text: str, marker: str | None
) -> dict[str, float]:
    """Save; once the runtime says it saw the save, request /health until the new code answers (its
    body has `marker`, or with no marker, it logged its reload). The three timings, in ms."""
    since = len(stack.output)
    started = time.perf_counter()
    (root / relative).write_text(text)
    while not _said(stack, since, f"reload | saved {relative}"):
        if time.perf_counter() - started > DEADLINE_SECONDS:
            raise RuntimeError(f"the save of {relative} was not seen within {DEADLINE_SECONDS} s")
        time.sleep(0.002)  # reading the output the harness collects; the runtime is not waiting on it
    seen = (time.perf_counter() - started) * 1000
    while True:
        body = requests.get(f"{stack.api_url}/health", timeout=10).json()
        reloaded = _said(stack, since, "tasks-api | reloaded:")
        if reloaded and (marker is None or body.get("version") == marker):
            break
        if time.perf_counter() - started > DEADLINE_SECONDS:
            raise RuntimeError(f"the save of {relative} was not served within {DEADLINE_SECONDS} s")
    served = (time.perf_counter() - started) * 1000
    init = _INIT.search(" ".join(reloaded.split()))
    return {"seen": seen, "served": served, "init": float(init.group(1)) if init else float("nan")}


def _watch_start_ms(root: Path) -> float:
    stop = threading.Event()
    started = time.perf_counter()
    watcher = SourceWatcher(SourceLayout(root).watched, lambda _saved: None, stop, io.StringIO())
    watcher.start()
    watcher.settled.wait(DEADLINE_SECONDS)
    elapsed = (time.perf_counter() - started) * 1000
    stop.set()
    watcher.join(DEADLINE_SECONDS)
    if not watcher.watching:
        raise RuntimeError("the watcher did not start")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="saves of each kind")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)

    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = copy_sources(Path(folder) / "repository")
        samples["start: watching"] = [_watch_start_ms(root) for _ in range(args.rounds)]
        stack = start_stack(Path(folder) / "state", source=root)
        try:
            handler, shared = (root / HANDLER).read_text(), (root / SHARED).read_text()
            requests.get(f"{stack.api_url}/health", timeout=10)
            rss_before = _rss_mb(stack.process.pid)
            for round_ in range(args.rounds):
                marker = f"round-{round_}"
                edited = handler.replace(HEALTH_BODY, f'{{"status": "healthy", "version": "{marker}"}}')
                for kind, relative, text, expected in (
                    ("handler", HANDLER, edited, marker),
                    ("shared", SHARED, f"{shared}\n# {marker}\n", None),
                ):
                    for measure, value in _save_and_time(stack, root, relative, text, expected).items():
                        samples.setdefault(f"{kind}: {measure}", []).append(value)
                print(f"round {round_ + 1}/{args.rounds} done", flush=True)
            rss_after = _rss_mb(stack.process.pid)
        finally:
            stop_stack(stack)
    print_table(
        "the runtime's resident memory (MB)",
        ["before the first save", f"after {2 * args.rounds} saves", "per save"],
        [[rss_before, rss_after, (rss_after - rss_before) / (2 * args.rounds)]],
    )
    report_latencies("reload on save (ms)", "save: measure", samples, args.json)


if __name__ == "__main__":
    main()
