"""`make dev` itself: `make token`, a clean stop on signals that leaves no process behind, a busy port."""

import contextlib
import os
import signal
import socket
import subprocess
import time

import pytest
import requests

from tasks_local.runtime.settings import REPO_ROOT
from tests.support.harness import free_port, start_stack, stop_stack
from tests.support.processes import alive, descendants, parents

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


def _stop_and_time(children: list[int], started: float) -> float:
    while any(alive(pid) for pid in children) and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert not [pid for pid in children if alive(pid)], "processes left behind"
    return time.monotonic() - started


@pytest.fixture
def own_stack(tmp_path):
    """A stack of the test's own, to stop with signals; stopped anyway if the test fails half-way."""
    stack = start_stack(tmp_path)
    yield stack
    stop_stack(stack)


def test_sigterm_to_make_stops_everything_within_two_seconds(own_stack):
    stack = own_stack
    children = descendants(stack.process.pid)
    assert len(children) >= 2  # the runtime make started, and the emulator it started
    started = time.monotonic()
    os.kill(stack.process.pid, signal.SIGTERM)  # make only, as a supervisor or `kill <pid>` would
    stack.process.wait(timeout=5)  # reap make, or it lingers as a zombie
    assert _stop_and_time(children, started) < 2.0


def test_a_stopped_stack_leaves_no_stack_file_behind(own_stack):
    stack = own_stack
    port = stack.ports["AWS_PORT"]
    assert (stack.state_dir / f"stack-{port}.json").exists()
    children = descendants(stack.process.pid)

    os.kill(stack.process.pid, signal.SIGTERM)
    stack.process.wait(timeout=5)
    _stop_and_time(children, time.monotonic())

    assert not (stack.state_dir / f"stack-{port}.json").exists()


def test_a_burst_of_signals_still_stops_within_two_seconds(own_stack):
    """Ctrl-C pressed repeatedly, or a supervisor that insists: each signal lands somewhere in the
    runtime's code, which must neither hang nor crash with a traceback."""
    stack = own_stack
    children = descendants(stack.process.pid)
    started = time.monotonic()
    for _ in range(200):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
    stack.process.wait(timeout=5)
    assert _stop_and_time(children, started) < 2.0
    assert "Traceback" not in "".join(stack.output)


def test_the_emulator_ends_with_a_runtime_killed_without_a_word(own_stack):
    """SIGKILL gives the runtime no chance to stop its emulator: the emulator stops by itself (it
    watches its parent, and the kernel tells it), so no orphan keeps the AWS port."""
    stack = own_stack
    runtime = next(pid for pid in descendants(stack.process.pid) if parents().get(pid) == stack.process.pid)
    emulator = descendants(runtime)
    assert emulator, "the runtime started its emulator"
    started = time.monotonic()
    os.kill(runtime, signal.SIGKILL)
    assert _stop_and_time(emulator, started) < 2.0


@pytest.mark.parametrize("variable", ["AWS_PORT", "API_PORT"])
def test_a_busy_port_is_an_error_naming_the_variable_to_change(variable, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = {"AWS_PORT": str(free_port()), "API_PORT": str(free_port()), variable: str(busy)}
        result = subprocess.run(
            ["make", "-s", "--no-print-directory", "dev", *(f"{k}={v}" for k, v in ports.items())],
            cwd=REPO_ROOT,
            env={**os.environ, "TASKS_LOCAL_STATE": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode != 0
    assert f"port {busy} on 127.0.0.1 is not free" in result.stderr
    assert f"make dev {variable}=" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
