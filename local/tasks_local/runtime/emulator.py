"""The embedded AWS in a process of its own: moto's server with the local runtime's fixes, on loopback.

Why: `make dev` used to serve moto in a thread of the process that also runs the API's handler, the
pollers and the consumers, so all of it shared one interpreter lock and one core. Under `make seed`
half of that process's busy samples were moto serving requests (py-spy; docs/local-runtime.md). In a
process of its own the emulator takes the second core, and the functions keep the first.

`EmulatorProcess` starts it (`python -m tasks_local.runtime.emulator`, reading the same environment
as the runtime: AWS_PORT, AWS_REGION, LOCAL_ALLOWED_ORIGINS) and stops it. It never outlives its
parent: it stops on SIGTERM or SIGINT, when its parent process is gone (watched), and on Linux also
by the kernel (PR_SET_PDEATHSIG) if the parent dies without a word.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

from tasks_local.runtime.settings import LocalSettings

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.1
READY_SECONDS = 60.0  # a cold machine imports moto in a few seconds; a broken one says why before this
STOP_SECONDS = 2.0


class EmulatorFailed(RuntimeError):
    """The emulator process exited, or never listened; the message has what it printed."""


class EmulatorProcess:
    """The emulator as a child process of the runtime: started, checked ready, stopped."""

    def __init__(self, settings: LocalSettings) -> None:
        self._settings = settings
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        # Its own process group: Ctrl-C at the terminal reaches the runtime alone, which drains the
        # invocations in flight (they still call the emulator) before it stops the emulator.
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        address = (self._settings.host, self._settings.aws_port)
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmulatorFailed(f"the emulator exited with status {self._process.returncode}")
            try:
                socket.create_connection(address, timeout=0.2).close()
            except OSError:
                time.sleep(0.05)
                continue
            return
        self.stop()
        raise EmulatorFailed(
            f"the emulator did not listen on {address[0]}:{address[1]} in {READY_SECONDS:.0f} s"
        )

    def open_state(self, fresh: bool) -> dict[str, Any]:
        """Once the runtime has created the resources: the kept state put back into them (or, `fresh`,
        set aside), and journaled from now on; what was found and done (runtime/persistence.py)."""
        from tasks_local.runtime.persistence import CONTROL_PATH  # noqa: PLC0415 - moto-free, but only here

        request = urllib.request.Request(  # noqa: S310 - the emulator's own loopback endpoint
            self._settings.aws_endpoint + CONTROL_PATH,
            data=json.dumps({"fresh": fresh}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=READY_SECONDS) as answer:  # noqa: S310  # nosec B310
            return json.loads(answer.read())

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not ended within STOP_SECONDS."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGTERM when the parent thread dies."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _quiet_libraries() -> None:
    """The runtime's gateway logs each API request once; werkzeug's access line for every AWS call, and
    the interpreter's dump of its whole component tree for every error a state catches (a withdrawal,
    a rejection: the workflow's normal paths), are noise. Executions' histories keep those errors."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").setLevel(logging.CRITICAL)


def _exit_now(_signum: int, _frame: object) -> None:
    """Stop at once: moto's state is in memory and goes with the process, and its thousands of objects
    need no teardown; the runtime sends this only once its invocations in flight have drained."""
    os._exit(0)


def serve(settings: LocalSettings) -> None:
    """Serve until SIGTERM/SIGINT (the process exits there) or until the parent is gone (returns)."""
    from tasks_local.moto_fixes.server import LocalMotoServer  # noqa: PLC0415 - moto in this process only
    from tasks_local.runtime.embedded_aws import aws_environment, patch_moto  # noqa: PLC0415

    os.environ.update(aws_environment(settings))  # MOTO_PORT: Step Functions calls back on it
    patch_moto()
    _quiet_libraries()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_now)
    parent = os.getppid()
    wrap = None
    if settings.keeps_state:
        from tasks_local.runtime.persistence import Persistence, StateControl  # noqa: PLC0415

        persistence = Persistence(settings.state_directory, settings.region)
        wrap = lambda app: StateControl(app, persistence)  # noqa: E731 - one WSGI layer, named by its class
    LocalMotoServer(settings.host, settings.aws_port, settings.origin_policy, wrap).start()
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)


if __name__ == "__main__":
    serve(LocalSettings.from_env())
    sys.stdout.flush()
    os._exit(0)  # moto's thousands of objects need no teardown: the process is ending
