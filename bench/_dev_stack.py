"""`make dev` of some tree in a subprocess, as a user runs it, for the benches that time the whole stack.

Each stack gets free ports and the state directory it is given (`TASKS_LOCAL_STATE`), so stacks of two
trees, or two variants of one tree, never share anything; `ready_seconds` is the time from the process's
start to its `ready:` line (imports, the emulator, provisioning, the restore, the re-opened approvals).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tests.support.harness import free_port
from tests.support.processes import descendants

READY_DEADLINE_SECONDS = 300


@dataclass
class DevStack:
    tree: Path
    env: dict[str, str]
    log: Path
    ready_seconds: float
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.env['API_PORT']}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.env['AWS_PORT']}"

    @property
    def state_directory(self) -> Path:
        """Where this stack keeps its state (the runtime's `.local/state-<AWS_PORT>`)."""
        return Path(self.env["TASKS_LOCAL_STATE"]) / f"state-{self.env['AWS_PORT']}"

    def client(self, service: str) -> Any:
        """A boto3 client for this stack's emulator (moto takes any credentials)."""
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name=self.env.get("AWS_REGION", "us-east-1"),
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto takes any credentials
        )

    def tables(self) -> dict[str, str]:
        """The stack's table names by key (tasks, views, activity), as it wrote them for `make invoke`."""
        written = Path(self.env["TASKS_LOCAL_STATE"]) / f"stack-{self.env['AWS_PORT']}.json"
        return json.loads(written.read_text())["names"]["tables"]

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        """`kill -9` of every process of the stack at once (the runtime, and the emulator in its own
        process group), with no chance to write anything more."""
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=60)

    def tasks_local(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """`python -m tasks_local <arguments>` of this tree against this stack (`make seed` and the like)."""
        return subprocess.run(
            [str(python_of(self.tree)), "-m", "tasks_local", *arguments],
            cwd=self.tree,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )


def python_of(tree: Path) -> Path:
    return tree / ".venv" / "bin" / "python"


def stack_environment(state: Path, aws_port: int | None = None, **settings: str) -> dict[str, str]:
    """The environment of a stack keeping its files under `state`, on free ports (or `aws_port`)."""
    inherited = {key: value for key, value in os.environ.items() if key != "AWS_ENDPOINT_URL"}
    return {
        **inherited,
        "TASKS_LOCAL_STATE": str(state),
        "API_PORT": str(free_port()),
        "AWS_PORT": str(aws_port or free_port()),
        **settings,
    }


@contextlib.contextmanager
def dev_stack(tree: Path, env: dict[str, str]) -> Iterator[DevStack]:
    """`python -m tasks_local dev` of `tree`, ready; stopped with SIGTERM (as Ctrl-C stops it) at the end."""
    log = Path(env["TASKS_LOCAL_STATE"]) / f"dev-{env['AWS_PORT']}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(python_of(tree)), "-m", "tasks_local", "dev"],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = started + READY_DEADLINE_SECONDS
        while "ready:" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stack of {tree} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield DevStack(tree, env, log, time.monotonic() - started, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
