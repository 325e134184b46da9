"""moto's server, finding each request's service once per host instead of once per request.

Why, measured on moto 5.2.5: the server's DomainDispatcherApplication finds the service of every
request under one process-wide lock, and finding it lists moto's package directory (an `os.listdir`
and an `isdir` for each of its ~270 entries) and may try every URL pattern moto knows: about 0.4 ms
per request, during which every other request waits. With the pollers, the workflow's executions and
the API all calling moto at once, a profile of `make dev` under `make seed` (py-spy) found 42% of the
process's busy samples there (11% finding, 31% queueing for the lock), where moto's own work on the
requests was 12%.

The answer depends on the host alone (moto's directory and its URL patterns do not change while it
runs), so it is remembered per host: ~4 µs per request, under the same lock. Answers are moto's.
Pinned to one moto version, like tasks_local.moto_fixes.dynamodb (tests/local/test_moto_pin.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from tasks_local.moto_fixes.patches import check_moto_version
from tasks_local.runtime.origins import OriginGuard, OriginPolicy

MOTO_VERSION = "5.2.5"

# What this module assumes of moto, checked against the source recorded in tests/local/test_moto_pin.py.
RELIED_ON: dict[str, tuple[Any, str]] = {
    "DomainDispatcherApplication.get_backend_for_host": (
        DomainDispatcherApplication.get_backend_for_host,
        "its answer depends on the host alone (moto's module list and URL patterns), so it can be kept",
    ),
    "DomainDispatcherApplication.get_application": (
        DomainDispatcherApplication.get_application,
        "it calls get_backend_for_host under self.lock, so the cache is only written under that lock",
    ),
    "ThreadedMotoServer._server_entry": (
        ThreadedMotoServer._server_entry,
        "LocalMotoServer._server_entry is the same, with HostCachingDispatcher as the application",
    ),
}


class HostCachingDispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves each host it has seen."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backend_of_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        try:
            return self._backend_of_host[host]
        except KeyError:
            backend = self._backend_of_host[host] = super().get_backend_for_host(host)
            return backend


class LocalMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer (a daemon thread of this process) serving through HostCachingDispatcher, behind
    the local stack's origin policy (runtime/origins.py): SDKs are served, other web pages are not."""

    def __init__(
        self,
        ip_address: str,
        port: int,
        origins: OriginPolicy | None = None,
        wrap: Callable[[Any], Any] | None = None,
    ) -> None:
        """`wrap` puts a WSGI layer of the runtime's between the origin guard and moto (its state's
        control endpoint: runtime/persistence.py)."""
        check_moto_version(__name__, MOTO_VERSION)
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self._origins = origins or OriginPolicy(frozenset())
        self._wrap = wrap or (lambda app: app)

    def _server_entry(self) -> None:
        application = OriginGuard(self._wrap(HostCachingDispatcher()), self._origins)
        self._server = make_server(
            self._ip_address, self._port, application, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
