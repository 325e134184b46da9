"""`make dev`: the embedded AWS, the HTTP API and Lambda's glue, in one process that stops cleanly."""

import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from werkzeug.serving import make_server

from tasks_local.auth import JwtAuthorizer
from tasks_local.aws import EmbeddedAws, provision, resource_names, save_stack
from tasks_local.bus import EventResources, provision_events
from tasks_local.functions import LocalFunction, PrefixedStream
from tasks_local.gateway import HttpApiGateway, routes_of
from tasks_local.manifest import Manifest, load_all
from tasks_local.pollers import Poller, QueuePoller, StreamPoller
from tasks_local.settings import LocalSettings

_STOP_POLL_SECONDS = 0.1


def _functions(manifests: dict[str, Manifest]) -> dict[str, LocalFunction]:
    """Every function from its manifest, with its environment applied to this process."""
    environment: dict[str, str] = {}
    for manifest in manifests.values():
        for key, value in manifest.environment.items():
            if key.startswith("POWERTOOLS_SERVICE_NAME"):
                continue  # each function names its own service in its observability module
            if environment.setdefault(key, value) != value:
                raise RuntimeError(f"functions disagree on {key}; they share one local process")
    os.environ.update(environment)
    return {name: LocalFunction(manifest) for name, manifest in manifests.items()}


def _pollers(
    functions: dict[str, LocalFunction],
    resources: EventResources,
    names: dict[str, Any],
    stop: threading.Event,
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
                pollers.append(StreamPoller(function, spec, stop, table, failure.url if failure else None))
    return pollers


def _wait_for_stop_request(signalled: list[int]) -> None:
    """Until SIGINT/SIGTERM, or until whoever started us (make, a test) is gone, so no process is ever
    left behind. The main thread polls rather than blocking on a lock: a signal's handler runs between
    two bytecodes of this thread, and one that took a lock (threading.Event.set) could deadlock on a
    lock the interrupted code holds, which is how an early SIGTERM once left `make dev` hanging."""
    parent = os.getppid()
    while not signalled and os.getppid() == parent:
        time.sleep(_STOP_POLL_SECONDS)


def _quiet_libraries() -> None:
    """Our gateway logs each request once; werkzeug's own access lines (ours and moto's) are noise."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def run() -> int:
    settings = LocalSettings.from_env()
    _quiet_libraries()
    log = PrefixedStream("local", sys.stdout)
    stop = threading.Event()
    signalled: list[int] = []  # the handlers only append: no lock, safe wherever they interrupt
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda received, _frame: signalled.append(received))

    aws = EmbeddedAws(settings)
    aws.start()
    log.write(f"AWS (moto) listening on {settings.aws_endpoint}, region {settings.region}\n")
    try:
        names = resource_names(settings)
        manifests = load_all(names)
        provision(settings, names)
        resources = provision_events(settings.prefix, settings.region, manifests)
        save_stack(settings, names)
        log.write(f"tables: {', '.join(names['tables'].values())}\n")
        log.write(
            f"bus: {resources.bus_name}; queues: {', '.join(q.name for q in resources.queues.values())}\n"
        )
        functions = _functions(manifests)
        for function in functions.values():
            function.warm()
        routes = [route for function in functions.values() for route in routes_of(function)]
        gateway = HttpApiGateway(routes, JwtAuthorizer(settings.state_dir), PrefixedStream("api", sys.stdout))
        server = make_server(settings.host, settings.api_port, gateway, threaded=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        pollers = _pollers(functions, resources, names, stop)
        for poller in pollers:
            poller.start()
        log.write(f"ready: API on {settings.api_url} (try: curl {settings.api_url}/health)\n")
        sys.stdout.flush()
        _wait_for_stop_request(signalled)
        stop.set()
        log.write("stopping\n")
        server.shutdown()
        deadline = time.monotonic() + 1.0  # a poller mid-invocation finishes its batch, within reason
        for poller in pollers:
            poller.join(timeout=max(0.0, deadline - time.monotonic()))
    finally:
        aws.stop()
    return 0
