"""The running `make dev` stack, as the commands that talk to it find it: its saved description (the
stack file its start wrote) and its AWS endpoint, for this process's AWS clients."""

import json
import os
import socket
from typing import Any
from urllib.parse import urlparse

from tasks_local.runtime.embedded_aws import aws_environment
from tasks_local.runtime.settings import LocalSettings


class StackNotRunning(Exception):
    """No local stack answers where this command looks; the message says how to start or find it."""


def running_stack(settings: LocalSettings) -> dict[str, Any]:
    """The saved description of the running stack, after checking its AWS endpoint answers."""
    hint = f"start it with `make dev`, or pass the AWS_PORT of the one you started (now {settings.aws_port})"
    if not settings.stack_file.exists():
        raise StackNotRunning(f"no local stack was started here on AWS_PORT={settings.aws_port}: {hint}")
    stack = json.loads(settings.stack_file.read_text())
    endpoint = urlparse(stack["aws_endpoint"])
    try:
        socket.create_connection((endpoint.hostname, endpoint.port), timeout=1).close()
    except OSError as exc:
        raise StackNotRunning(f"the local stack at {stack['aws_endpoint']} is not running: {hint}") from exc
    return stack


def use_stack(settings: LocalSettings, stack: dict[str, Any]) -> None:
    """Point this process's AWS clients at the running stack's endpoint and region."""
    host_settings = LocalSettings(
        aws_port=urlparse(stack["aws_endpoint"]).port,
        api_port=settings.api_port,
        region=stack["region"],
        state_dir=settings.state_dir,
    )
    os.environ.update(aws_environment(host_settings))
