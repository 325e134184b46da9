"""The processes a stack is made of, read from /proc: the stop and kill tests and benches need them all,
because the emulator runs in a process group of its own (a signal to `make`'s group misses it)."""

import contextlib
import os
from pathlib import Path


def alive(pid: int) -> bool:
    """Running: not gone, and not a zombie (an orphan's exit waits for whoever adopted it to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def parents() -> dict[int, int]:
    """pid -> its parent's pid, for every process (from /proc/<pid>/stat)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = (Path("/proc") / entry / "stat").read_text()
                found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> list[int]:
    """Every process `pid` started, and theirs, parents before their children."""
    of_parent, found, pending = parents(), [], [pid]
    while pending:
        parent = pending.pop()
        children = [child for child, of in of_parent.items() if of == parent]
        found += children
        pending += children
    return found
