"""The local API stand-in's HTTP server, on a real socket (issue 14): a body that never comes times out
with a JSON error and one log line, a client that leaves is one log line, every error the server itself
answers is JSON, and a page from another origin is refused before any handler runs."""

import io
import json
import re
import socket
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.serving import make_server

from tasks_local.runtime.gateway import HttpApiGateway, Route, gateway_request_handler
from tasks_local.runtime.identity import JwtAuthorizer
from tasks_local.runtime.origins import OriginPolicy
from tests.support.polling import eventually

BODY_TIMEOUT = 0.5
OWN = "http://127.0.0.1:3000"


class EchoFunction:
    """A function behind the route: answers with the body it was given, and counts its invocations."""

    def __init__(self) -> None:
        self.manifest = SimpleNamespace(name="echo")
        self.log = io.StringIO()
        self.invocations = 0

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.invocations += 1
        return {"statusCode": 200, "body": event.get("body", "")}


@pytest.fixture
def served(tmp_path) -> Iterator[SimpleNamespace]:
    function, log = EchoFunction(), io.StringIO()
    route = Route("POST", "/echo", re.compile("^/echo$"), False, function)
    gateway = HttpApiGateway([route], JwtAuthorizer(tmp_path), log, OriginPolicy.of([OWN]))
    server = make_server(
        "127.0.0.1", 0, gateway, threaded=True, request_handler=gateway_request_handler(BODY_TIMEOUT)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield SimpleNamespace(port=server.server_port, function=function, log=log)
    server.shutdown()


def _exchange(port: int, request: bytes, *, close_after_send: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        if close_after_send:
            return b""
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def _status_and_json(raw: bytes) -> tuple[int, dict[str, Any], str]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return int(lines[0].split()[1]), json.loads(body), "\n".join(lines[1:]).lower()


def test_a_body_that_never_arrives_times_out_with_a_json_error_and_one_log_line(served):
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    status, body, headers = _status_and_json(_exchange(served.port, request))
    assert (status, body) == (408, {"message": "Request Timeout"})
    assert "content-type: application/json" in headers
    assert served.function.invocations == 0
    [line] = served.log.getvalue().splitlines()
    assert line.startswith("POST /echo -> 408")
    assert "the 100-byte body did not arrive in time" in line
    assert "Traceback" not in served.log.getvalue()


def test_a_client_that_leaves_before_its_body_is_one_log_line(served):
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    _exchange(served.port, request, close_after_send=True)
    assert eventually(served.log.getvalue, 5.0)
    [line] = served.log.getvalue().splitlines()
    assert "went away before sending its 100-byte body" in line
    assert served.function.invocations == 0


def test_an_oversized_header_is_a_json_431_not_an_html_page(served):
    request = b"GET /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * 100_000 + b"\r\n\r\n"
    status, body, headers = _status_and_json(_exchange(served.port, request))
    assert status == 431
    assert body == {"message": "Line too long"}
    assert "content-type: application/json" in headers


def test_a_malformed_request_line_is_answered_in_json(served):
    """An unreadable request line has no HTTP version to answer in: HTTP/0.9's bare body, in JSON."""
    raw = _exchange(served.port, b'GET /echo HTTP/9"\r\n\r\n')
    assert json.loads(raw) == {"message": "Bad request version ('HTTP/9\"')"}


def test_a_whole_body_in_time_is_served(served):
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        b"Connection: close\r\n\r\n{}"
    )
    raw = _exchange(served.port, request)
    assert raw.startswith(b"HTTP/1.1 200")
    assert raw.endswith(b"{}")


@pytest.mark.parametrize(("origin", "status"), [(OWN, 200), ("https://evil.example", 403), ("null", 403)])
def test_only_the_stacks_own_origin_reaches_a_handler(served, origin, status):
    request = (
        f"POST /echo HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}"
    ).encode()
    raw = _exchange(served.port, request)
    assert raw.startswith(f"HTTP/1.1 {status}".encode())
    assert b"access-control-allow-origin" not in raw.lower()
    assert served.function.invocations == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("extra", "origin", "refused"),
    [
        ("", "https://app.example", True),
        ("https://app.example", "https://app.example", False),
        ("*", "https://x", False),
    ],
)
def test_local_allowed_origins_widens_the_policy(extra, origin, refused):
    assert OriginPolicy.of([OWN], extra).refuses(origin) is refused
    assert OriginPolicy.of([OWN], extra).refuses(None) is False
