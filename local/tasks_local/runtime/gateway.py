"""An API Gateway HTTP API stand-in: HTTP request -> payload 2.0 event -> handler -> HTTP response.

Routes and their authorization come from the function manifests' `httpApi` events. As in API
Gateway, an unknown route is a 404 and a route with `auth: jwt` answers 401 before the handler runs.
"""

import base64
import json
import re
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from tasks_local.runtime.functions import InitFailed, LocalFunction
from tasks_local.runtime.identity import JwtAuthorizer, Unauthorized
from tasks_local.runtime.origins import OriginPolicy


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # API Gateway syntax: /tasks/{taskId}
    pattern: re.Pattern
    jwt: bool
    function: LocalFunction

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def routes_of(function: LocalFunction) -> list[Route]:
    routes = []
    for event in function.manifest.events:
        spec = event.get("httpApi")
        if not spec:
            continue
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(spec["path"]))
        routes.append(
            Route(
                spec["method"].upper(),
                spec["path"],
                re.compile(f"^{regex}$"),
                spec["auth"] == "jwt",
                function,
            )
        )
    return routes


def _gateway_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps({"message": message}), status, headers, content_type="application/json")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class _BodyNotReceived(Exception):
    """The client did not send the body it announced: too slow, or gone."""


class HttpApiGateway:
    def __init__(
        self, routes: list[Route], authorizer: JwtAuthorizer, log: Any, origins: OriginPolicy | None = None
    ) -> None:
        self.routes = routes  # replaced whole when a manifest is saved (runtime/reload.py)
        self._authorizer = authorizer
        self._log = log
        self._origins = origins or OriginPolicy(frozenset())

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        note = ""
        try:
            response = self._dispatch(request)
        except _BodyNotReceived as exc:
            response, note = _gateway_error(408, "Request Timeout", {"Connection": "close"}), f" ({exc})"
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Escaped: a %0A or an ESC in a URL must not forge a log line or drive the terminal.
        path = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", request.full_path.rstrip("?"))
        self._log.write(f"{request.method} {path} -> {response.status_code} {elapsed_ms:.1f} ms{note}\n")
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        origin = request.headers.get("Origin")
        if self._origins.refuses(origin):
            status, headers, body = self._origins.refusal(origin)
            return Response(body, status, headers)
        _receive_body(request)
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match and route.method == request.method:
                break
        else:
            return _gateway_error(404, "Not Found")
        claims = None
        if route.jwt:
            try:
                claims = self._authorizer.claims(request.headers.get("Authorization"))
            except Unauthorized:
                return _gateway_error(401, "Unauthorized", {"WWW-Authenticate": 'Bearer realm="tasks-api"'})
        event = payload_v2(request, route, match.groupdict(), claims)
        try:
            return http_response(route.function.invoke(event))
        # A crashed invocation is API Gateway's 500, with the trace in the function's log (for code that
        # did not import, the log has said already what and where).
        except Exception as exc:
            if not isinstance(exc, InitFailed):
                route.function.log.write(traceback.format_exc())
            return _gateway_error(500, "Internal Server Error")


def _receive_body(request: Request) -> None:
    """Read the whole body before routing, as API Gateway does; a client that stops sending (the
    server's socket timeout) or goes away is one line in the log, never a hang or a traceback."""
    announced = request.content_length
    try:
        request.get_data()
    except ClientDisconnected as exc:  # werkzeug's, for a read that failed: timed out, or nothing more
        if isinstance(exc.__context__, TimeoutError):
            raise _BodyNotReceived(f"the {announced}-byte body did not arrive in time") from exc
        raise _BodyNotReceived(f"the client went away before sending its {announced}-byte body") from exc


class GatewayRequestHandler(WSGIRequestHandler):
    """The HTTP server of the API stand-in: a body that stops arriving times out (`timeout` seconds,
    set per server), and the errors the HTTP server answers itself (an oversized header, a bad
    request line) are JSON like API Gateway's, not an HTML page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        del explain  # an HTML page's text; the JSON carries the message only
        body = json.dumps({"message": message or self.responses.get(code, ("Error",))[0]}).encode()
        self.log_error("code %d, message %s", code, message)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def gateway_request_handler(body_timeout_seconds: float) -> type[GatewayRequestHandler]:
    return type("TimedGatewayRequestHandler", (GatewayRequestHandler,), {"timeout": body_timeout_seconds})


def payload_v2(request: Request, route: Route, path_parameters: dict, claims: dict | None) -> dict[str, Any]:
    """The event API Gateway HTTP APIs send to Lambda (payload format 2.0)."""
    raw = request.get_data()  # read already (_receive_body): werkzeug keeps it
    try:
        body, is_base64 = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        body, is_base64 = base64.b64encode(raw).decode(), True
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.query_string.decode(), keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": request.host,
        "domainPrefix": request.host.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "sourceIp": request.remote_addr or "127.0.0.1",
            "userAgent": request.user_agent.string,
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": request.path,
        "rawQueryString": request.query_string.decode(),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    }
    if request.cookies:
        event["cookies"] = [f"{name}={value}" for name, value in request.cookies.items()]
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if raw:
        event["body"] = body
    return event


def http_response(result: dict[str, Any]) -> Response:
    """A payload 2.0 Lambda response as HTTP."""
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(result.get("statusCode", 200)))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    if not data and response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response
