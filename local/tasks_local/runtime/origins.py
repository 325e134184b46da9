"""Which web pages may call the local endpoints (moto's and the API's): the local stack's own origins,
and the ones a developer adds with LOCAL_ALLOWED_ORIGINS.

A browser sends `Origin` with every cross-origin request (and with a same-origin POST); SDKs and curl
send none. moto's server grants CORS to any origin, so without this any page open in the developer's
browser while `make dev` runs could read the tables, task tokens and the page-token key included. As
LocalStack does for its own emulator, a request from another browser origin is refused (403, with no
CORS grant); a request without `Origin` is served as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ALLOWED_ORIGINS_VARIABLE = "LOCAL_ALLOWED_ORIGINS"
ANY_ORIGIN = "*"


@dataclass(frozen=True)
class OriginPolicy:
    allowed: frozenset[str]  # exact origins, or ANY_ORIGIN

    @classmethod
    def of(cls, own: Iterable[str], extra: str = "") -> OriginPolicy:
        """The stack's own origins plus `extra` (LOCAL_ALLOWED_ORIGINS: comma-separated, or `*`)."""
        added = {origin.strip().rstrip("/") for origin in extra.split(",") if origin.strip()}
        return cls(frozenset(own) | frozenset(added))

    def refuses(self, origin: str | None) -> bool:
        return origin is not None and ANY_ORIGIN not in self.allowed and origin not in self.allowed

    def refusal(self, origin: str) -> tuple[int, dict[str, str], bytes]:
        """403 with a JSON body saying how to allow the page, and no Access-Control-* header."""
        message = (
            f"requests from the web page at {origin} are refused by the local stack: add its origin to "
            f"{ALLOWED_ORIGINS_VARIABLE} (comma-separated) when starting `make dev` to allow it"
        )
        return 403, {"Content-Type": "application/json"}, json.dumps({"message": message}).encode()


class OriginGuard:
    """WSGI middleware: a request from a refused browser origin never reaches the wrapped application."""

    def __init__(self, app: Callable[..., Any], policy: OriginPolicy) -> None:
        self._app = app
        self._policy = policy

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        origin = environ.get("HTTP_ORIGIN")
        if not self._policy.refuses(origin):
            return self._app(environ, start_response)
        status, headers, body = self._policy.refusal(origin)
        start_response(f"{status} Forbidden", [*headers.items(), ("Content-Length", str(len(body)))])
        return [body]
