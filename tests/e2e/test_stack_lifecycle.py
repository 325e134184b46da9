"""`make dev` itself: `make token`, and a clean stop on SIGTERM that leaves no process behind."""

import contextlib
import os
import signal
import time

import pytest
import requests

from tasks_local.harness import start_stack

pytestmark = pytest.mark.e2e


def test_make_token_prints_only_a_token_the_running_api_accepts(stack):
    result = stack.run(
        ["make", "-s", "--no-print-directory", "token", "USER=carol", "GROUPS=approvers,admins"]
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.count(".") == 2
    assert "\n" not in token
    response = requests.get(
        f"{stack.api_url}/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_members(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except ProcessLookupError:
                continue
    return pids


def _stop_and_time(children: list[int], started: float) -> float:
    while any(_alive(pid) for pid in children) and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)], "processes left behind"
    return time.monotonic() - started


def test_sigterm_to_make_stops_everything_within_two_seconds(tmp_path):
    stack = start_stack(tmp_path)
    children = [pid for pid in _group_members(stack.process.pid) if pid != stack.process.pid]
    assert children  # the runtime make started
    started = time.monotonic()
    os.kill(stack.process.pid, signal.SIGTERM)  # make only, as a supervisor or `kill <pid>` would
    stack.process.wait(timeout=5)  # reap make, or it lingers as a zombie
    assert _stop_and_time(children, started) < 2.0


def test_a_burst_of_signals_still_stops_within_two_seconds(tmp_path):
    """Ctrl-C pressed repeatedly, or a supervisor that insists: each signal lands somewhere in the
    runtime's code, which must neither hang nor crash with a traceback."""
    stack = start_stack(tmp_path)
    children = [pid for pid in _group_members(stack.process.pid) if pid != stack.process.pid]
    started = time.monotonic()
    for _ in range(200):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
    stack.process.wait(timeout=5)
    assert _stop_and_time(children, started) < 2.0
    assert "Traceback" not in "".join(stack.output)
