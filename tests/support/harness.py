"""Start and stop the `make dev` stack as a subprocess on free ports: for end-to-end tests and benchmarks."""

import ctypes
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import requests

from tasks_local.runtime.identity import issue_token
from tasks_local.runtime.settings import REPO_ROOT

_PR_SET_PDEATHSIG = 1
START_DEADLINE_SECONDS = 120  # a fresh machine may be installing the venv first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalStack:
    process: subprocess.Popen
    api_url: str
    aws_url: str
    state_dir: Path
    output: list[str] = field(default_factory=list)

    def token(self, user: str, *groups: str, ttl_seconds: int = 600) -> str:
        return issue_token(self.state_dir, user, list(groups), ttl_seconds)

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's moto endpoint (moto accepts any credentials)."""
        return boto3.client(
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def run(self, command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        """A command (`make publish ...`, a script) from the repo root, aimed at this stack's state."""
        return subprocess.run(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, "TASKS_LOCAL_STATE": str(self.state_dir), **self.ports},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @property
    def ports(self) -> dict[str, str]:
        """The stack's ports, as `make` takes them: commands aimed at it pass them on."""
        return {"API_PORT": str(urlparse(self.api_url).port), "AWS_PORT": str(urlparse(self.aws_url).port)}

    def session(self, user: str, *groups: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(user, *groups)}"
        return session


def _as_from_a_terminal() -> None:
    """Run in the child before `make`: the stack behaves as one started from a terminal, whatever
    started the tests. Ctrl-C and SIGTERM work even if the runner inherited them ignored (a CI script
    that runs things in the background ignores SIGINT). On Linux, `make` gets SIGTERM if the test or
    bench process dies without stopping the stack; the runtime follows make (it watches its parent),
    so a killed run leaves no stack behind."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


RUNTIME_SOURCES = ("services", "shared", "local", "ops", "events", "statemachines", "web")


def copy_sources(destination: Path) -> Path:
    """What the local stack runs from, copied: a test edits the copy, never this repository's files."""
    for folder in RUNTIME_SOURCES:
        ignored = shutil.ignore_patterns("__pycache__", "node_modules")
        shutil.copytree(REPO_ROOT / folder, destination / folder, symlinks=True, ignore=ignored)
    return destination


def _copy_environment(source: Path) -> dict[str, str]:
    """How the copy runs on this repository's virtualenv: its source folders on PYTHONPATH come before
    the editable install (whose finder Python consults last), and its runtime takes the copy for the
    repository's root (settings.REPO_ROOT is found from the runtime's own file)."""
    services = sorted(folder for folder in (source / "services").iterdir() if folder.is_dir())
    folders = [source / "shared", source / "local", source / "ops", *services]
    return {"PYTHONPATH": os.pathsep.join(str(folder) for folder in folders)}


def start_stack(
    state_dir: Path, attempts: int = 3, ports: dict[str, str] | None = None, source: Path | None = None
) -> LocalStack:
    """`make dev` on two free ports (or the `ports` of an earlier stack: its kept state is on its
    AWS_PORT), ready; with `source`, the runtime of that copy of the sources (`copy_sources`), run with
    this virtualenv's Python (not `make dev`, whose Makefile would install the copy into the shared
    virtualenv). Free ports are bound only by the stack itself, so another process (a test worker
    starting its own stack) may take one in between: then again, on others."""
    for attempt in range(attempts):
        try:
            return _start_stack(state_dir, ports, source)
        except PortTaken:
            if attempt == attempts - 1 or ports:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    """The stack refused to start: a port picked free was taken before it bound it."""


def _start_stack(state_dir: Path, ports: dict[str, str] | None, source: Path | None) -> LocalStack:
    api_port, aws_port = (
        (int(ports["API_PORT"]), int(ports["AWS_PORT"])) if ports else (free_port(), free_port())
    )
    env = {**os.environ, "TASKS_LOCAL_STATE": str(state_dir)}
    env.pop("AWS_ENDPOINT_URL", None)
    chosen = {"API_PORT": str(api_port), "AWS_PORT": str(aws_port)}
    if source is None:
        command = ["make", "--no-print-directory", "dev", *(f"{key}={port}" for key, port in chosen.items())]
    else:
        command = [sys.executable, "-m", "tasks_local", "dev"]
        env.update({**chosen, **_copy_environment(source)})
    process = subprocess.Popen(
        command,
        cwd=source or REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,  # noqa: PLW1509 - only signal settings and prctl, safe before exec
    )
    stack = LocalStack(process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}", state_dir)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            stack.output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if "ready" in line and stack.api_url in line:
            return stack
    stop_stack(stack)
    output = "".join(stack.output)
    if "is not free" in output:
        raise PortTaken(output)
    raise RuntimeError("the local stack did not get ready:\n" + output)


def stop_stack(stack: LocalStack) -> None:
    if stack.process.poll() is None:
        os.killpg(stack.process.pid, signal.SIGTERM)
        try:
            stack.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(stack.process.pid, signal.SIGKILL)
