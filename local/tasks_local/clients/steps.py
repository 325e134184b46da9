"""The line each step of a walkthrough prints (`make smoke`, `make demo`): what it found, how long it took."""

import time
from collections.abc import Callable
from typing import TextIO


def timed_step(out: TextIO, name: str, check: Callable[[], str]) -> None:
    """Run `check`; on success print `  ok  <name>: <what it returned> (<ms> ms)`. Errors pass through."""
    started = time.monotonic()
    detail = check()
    print(f"  ok  {name}: {detail} ({(time.monotonic() - started) * 1000:.0f} ms)", file=out, flush=True)
