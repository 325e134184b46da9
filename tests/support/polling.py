"""Waiting for what the stack derives asynchronously (counters, history, lists) without bare sleeps."""

import time

EFFECT_DEADLINE_SECONDS = 2.0  # the contract: a change shows in lists, /stats and /history within 2 s


def eventually(probe, timeout=EFFECT_DEADLINE_SECONDS, interval=0.05):
    """Poll `probe` until it returns a truthy value or the deadline passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
