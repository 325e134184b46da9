"""The running stack's HTTP API, called as its users: `make seed`, `make approve`, `make approvals` and
`make demo` talk to it as a client would, with tokens from the local identity provider."""

import threading
from typing import Any

import requests

from tasks_local.clients.stack import StackNotRunning
from tasks_local.runtime.identity import issue_token
from tasks_local.runtime.settings import LocalSettings

TOKEN_TTL_SECONDS = 12 * 3600  # outlives any run: a token expiring mid-run would stop it with a 401
TIMEOUT = (5, 60)  # connect, read (s): a slow emulator is slow, a dead one is reported


class ApiError(Exception):
    """A call that did not succeed, in one line: what was called, as whom, and the API's answer."""

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail  # the API's own message, for a caller that expected the refusal


class ApiClient:
    """The API as named users (with their groups): one requests.Session per thread."""

    def __init__(self, settings: LocalSettings, groups: dict[str, list[str]] | None = None) -> None:
        self.url = settings.api_url
        self._settings = settings
        self._groups = groups or {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def token(self, user: str) -> str:
        with self._lock:
            if user not in self._tokens:
                groups = self._groups.get(user, [])
                self._tokens[user] = issue_token(self._settings.state_dir, user, groups, TOKEN_TTL_SECONDS)
            return self._tokens[user]

    def check(self) -> None:
        """The API answers its health check, or the user learns how to start it."""
        try:
            requests.get(f"{self.url}/health", timeout=2).raise_for_status()
        except requests.RequestException as exc:
            raise StackNotRunning(
                f"the local API at {self.url} is not answering: start it with `make dev`, or pass the "
                f"API_PORT of the one you started (now {self._settings.api_port})"
            ) from exc

    def call(
        self,
        method: str,
        path: str,
        user: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        if_match: str | None = None,
    ) -> Any:
        """The response's JSON (None for a 204); anything but a 2xx raises ApiError."""
        return self.exchange(method, path, user, body, params=params, if_match=if_match)[0]

    def read(self, path: str, user: str) -> tuple[Any, str]:
        """A GET's JSON and its ETag: the version a conditional write (If-Match) names."""
        body, response = self.exchange("GET", path, user)
        etag = response.headers.get("ETag")
        if not etag:
            raise ApiError(f"GET {path} as {user}: {response.status_code} without an ETag")
        return body, etag

    def exchange(
        self,
        method: str,
        path: str,
        user: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        if_match: str | None = None,
    ) -> tuple[Any, requests.Response]:
        """The response's JSON (None for a 204) and the response; anything but a 2xx raises ApiError."""
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        what = f"{method} {path} as {user}"
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        if if_match is not None:
            headers["If-Match"] = if_match
        try:
            response = session.request(
                method, self.url + path, json=body, params=params, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as exc:
            unsure = " (it may or may not have been done)" if method != "GET" else ""
            raise ApiError(f"{what}: no answer from {self.url}{unsure}: {type(exc).__name__}") from exc
        if not response.ok:
            status, detail = response.status_code, message_of(response)
            raise ApiError(f"{what}: {status} {response.reason}: {detail}", status, detail)
        if response.status_code == 204:
            return None, response
        try:
            return response.json(), response
        except ValueError as exc:
            raise ApiError(f"{what}: {response.status_code} with a body that is not JSON") from exc

    def every_page(self, path: str, user: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paginated list, following nextToken."""
        items, token = [], None
        while True:
            page = self.call(
                "GET", path, user, params={**(params or {}), **({"nextToken": token} if token else {})}
            )
            items += page["items"]
            token = page.get("nextToken")
            if not token:
                return items


def message_of(response: requests.Response) -> str:
    """The contract's error body in one line: its message, and the fields its details name."""
    try:
        body = response.json()
    except ValueError:
        body = response.text.strip()[:200] or "(no body)"
    if isinstance(body, dict) and "message" in body:
        details = body.get("details") if isinstance(body.get("details"), list) else []
        issues = "; ".join(f"{d.get('field')}: {d.get('issue')}" for d in details if isinstance(d, dict))
        body = str(body["message"]) + (f" ({issues})" if issues else "")
    return " ".join(str(body).split())
