"""`make dev`: the embedded AWS, the HTTP API and Lambda's glue, in one process that stops cleanly."""

import logging
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import make_server

from tasks_local.runtime.bus import EventResources, provision_events
from tasks_local.runtime.checkpoints import Checkpoints
from tasks_local.runtime.embedded_aws import aws_environment, provision, resource_names, save_stack
from tasks_local.runtime.emulator import EmulatorFailed, EmulatorProcess
from tasks_local.runtime.functions import LocalFunction, PrefixedStream
from tasks_local.runtime.gateway import HttpApiGateway, gateway_request_handler, routes_of
from tasks_local.runtime.identity import JwtAuthorizer
from tasks_local.runtime.manifest import Manifest, load_all, process_environment
from tasks_local.runtime.pollers import Poller, QueuePoller, StreamPoller
from tasks_local.runtime.reload import RunningStack, start_reloading
from tasks_local.runtime.settings import LocalSettings
from tasks_local.runtime.web_app import with_web_app
from tasks_local.runtime.workflow import (
    ExecutionStarter,
    Workflow,
    enable_execution,
    provision_workflow,
    reopen_awaiting_requests,
)
from tasks_shared.domain.model import utcnow

_STOP_POLL_SECONDS = 0.1
_DRAIN_SECONDS = 1.0  # an invocation in flight when the stop comes finishes, within reason


class StartupError(RuntimeError):
    """The stack cannot start, for a reason the user can fix; printed without a traceback."""


def _functions(manifests: dict[str, Manifest]) -> dict[str, LocalFunction]:
    """Every function from its manifest, with its environment applied to this process."""
    os.environ.update(process_environment(manifests.values()))
    return {name: LocalFunction(manifest) for name, manifest in manifests.items()}


def _pollers(
    functions: dict[str, LocalFunction],
    resources: EventResources,
    names: dict[str, Any],
    stop: threading.Event,
    checkpoints: Checkpoints | None,
) -> list[Poller]:
    """One poller per stream or queue trigger in the manifests, as Lambda's event source mappings."""
    pollers: list[Poller] = []
    for function in functions.values():
        for event in function.manifest.events:
            if "sqs" in event:
                queue = resources.queues[event["sqs"]["queue"]]
                pollers.append(QueuePoller(function, event["sqs"], stop, queue.url, queue.arn))
            if "stream" in event:
                spec = event["stream"]
                failure = resources.queues.get(spec.get("onFailure", {}).get("queue", ""))
                table = names["tables"][spec["table"]]
                failure_url = failure.url if failure else None
                pollers.append(
                    StreamPoller(function, spec, stop, table, failure_url, checkpoints=checkpoints)
                )
    return pollers


@dataclass(frozen=True)
class ProvisionedStack:
    names: dict[str, Any]  # the manifests' placeholder values, and the workflow's ARNs
    manifests: dict[str, Manifest]
    resources: EventResources
    workflow: Workflow


def provision_stack(settings: LocalSettings) -> ProvisionedStack:
    """Everything the definitions describe, created in the running moto: tables, secrets, bus, rules,
    queues, bucket, topics, and the approval workflow with execution switched on."""
    names = resource_names(settings)
    manifests = load_all(names)
    provision(settings, names)
    resources = provision_events(settings.prefix, settings.region, manifests)
    enable_execution(settings.aws_endpoint)
    workflow = provision_workflow(settings.prefix, names["tables"]["tasks"], settings.web_url)
    names["stateMachines"] = {"approval": workflow.state_machine_arn}
    names["topics"]["approvals"] = workflow.topic_arn
    return ProvisionedStack(names, manifests, resources, workflow)


def _quiet_libraries() -> None:
    """Our gateway logs each request once; werkzeug's own access lines (ours and moto's) are noise."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _claim_ports(settings: LocalSettings) -> None:
    """Fail at once, naming the variable to change, when a port is taken: moto's server thread would
    otherwise die on it while the runtime waited for that server forever."""
    for variable, port in (("AWS_PORT", settings.aws_port), ("API_PORT", settings.api_port)):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers will
            try:
                probe.bind((settings.host, port))
            except OSError as exc:
                raise StartupError(
                    f"port {port} on {settings.host} is not free ({exc.strerror}); is another `make dev`"
                    f" running? Stop it, or choose another port: make dev {variable}={port + 1}"
                ) from exc


def _record_stop_signals() -> list[int]:
    """From here on SIGINT/SIGTERM are only recorded; before, their default actions abort the startup.
    The handler only appends: it runs between any two bytecodes of the main thread, and one that took
    a lock (threading.Event.set) could deadlock on a lock the interrupted code holds."""
    signalled: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signum == signal.SIGINT and signal.getsignal(signum) is signal.SIG_IGN:
            continue  # `make dev &` in a script: Ctrl-C at the script is not for us; SIGTERM always is
        signal.signal(signum, lambda received, _frame: signalled.append(received))
    return signalled


def _wait_for_stop_request(signalled: list[int]) -> None:
    """Until a stop signal, or until whoever started us (make, a test) is gone, so no process is ever
    left behind. The main thread polls, so a signal is seen within one poll wherever it landed."""
    parent = os.getppid()
    while not signalled and os.getppid() == parent:
        time.sleep(_STOP_POLL_SECONDS)


def _say_what_was_kept(log: PrefixedStream, opened: dict[str, Any]) -> None:
    """What the start found in the state directory and did with it, in a few lines."""
    for said in opened.get("said", []):
        log.write(f"state: {said}\n")
    restored = opened.get("restored") or {}
    if restored:
        items = ", ".join(
            f"{name.removeprefix('table ')} {n}" for name, n in restored.items() if name.startswith("table ")
        )
        queued = [
            f"{name.removeprefix('queue ')} {n}"
            for name, n in restored.items()
            if name.startswith("queue ") and n
        ]
        log.write(f"state: restored from {opened['directory']}: items {items}\n")
        log.write(f"state: messages waiting: {', '.join(queued) or 'none'}\n")


def run(fresh: bool = False) -> int:
    """Start everything, serve until Ctrl-C or SIGTERM, then let invocations in flight finish. The
    emulator is a process of its own (runtime/emulator.py: the second core); the gateway and the
    pollers are daemon threads of this process. Both end with it, and moto's state with them."""
    settings = LocalSettings.from_env()
    _claim_ports(settings)
    _quiet_libraries()
    log = PrefixedStream("local", sys.stdout)
    os.environ.update(aws_environment(settings))
    emulator = EmulatorProcess(settings)
    try:
        emulator.start()
    except EmulatorFailed as exc:
        raise StartupError(str(exc)) from exc
    try:
        return _serve(settings, log, emulator, fresh)
    finally:
        emulator.stop()
        settings.stack_file.unlink(missing_ok=True)  # it names a stack that is gone


def _serve(settings: LocalSettings, log: PrefixedStream, emulator: EmulatorProcess, fresh: bool) -> int:
    log.write(f"AWS (moto) listening on {settings.aws_endpoint}, region {settings.region}\n")
    stack = provision_stack(settings)
    names, manifests, resources, workflow = stack.names, stack.manifests, stack.resources, stack.workflow
    checkpoints = None
    if settings.keeps_state:
        _say_what_was_kept(log, emulator.open_state(fresh))
        checkpoints = Checkpoints(settings.state_directory)
    else:
        log.write("state: not kept (LOCAL_KEEP_STATE=0): it goes when the stack stops\n")
    save_stack(settings, names)
    log.write(f"tables: {', '.join(names['tables'].values())}\n")
    log.write(f"bus: {resources.bus_name}; queues: {', '.join(q.name for q in resources.queues.values())}\n")
    log.write(f"approval workflow: {workflow.state_machine_arn}\n")
    functions = _functions(manifests)
    for function in functions.values():
        function.warm()
    routes = [route for function in functions.values() for route in routes_of(function)]
    gateway = HttpApiGateway(
        routes, JwtAuthorizer(settings.state_dir), PrefixedStream("api", sys.stdout), settings.origin_policy
    )
    handler = gateway_request_handler(settings.body_timeout_seconds)
    site = with_web_app(gateway, settings, PrefixedStream("sign-in", sys.stdout))
    server = make_server(settings.host, settings.api_port, site, threaded=True, request_handler=handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    for poller in _pollers(functions, resources, names, stop, checkpoints):
        poller.start()
    starter_log = PrefixedStream("approval", sys.stdout)
    ExecutionStarter(resources.queues["approval-requests"], workflow, stop, starter_log).start()
    if checkpoints is not None:
        reopened = reopen_awaiting_requests(names["tables"]["tasks"], utcnow())
        log.write(f"state: approvals awaiting a decision, re-opened (new requests): {reopened}\n")
    running = RunningStack(functions, gateway, names, resources, workflow, settings.prefix)
    start_reloading(running, stop, PrefixedStream("reload", sys.stdout))
    signalled = _record_stop_signals()
    log.write(f"ready: API on {settings.api_url} (try: curl {settings.api_url}/health)\n")
    log.write(f"approvers' web app: {settings.web_url}\n")
    sys.stdout.flush()
    _wait_for_stop_request(signalled)
    log.write("stopping\n")
    stop.set()
    deadline = time.monotonic() + _DRAIN_SECONDS
    for function in functions.values():
        function.retire(timeout=max(0.0, deadline - time.monotonic()))
    return 0
