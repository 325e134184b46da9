"""The local identity provider's sign-in for the web app: OAuth 2.0 authorization code with PKCE (RFC 6749,
RFC 7636) at Cognito's paths (/oauth2/authorize, /oauth2/token, /logout), so the page's code is the same
under `make dev` and in AWS. The authorization page asks who you are (a user and groups) instead of a
password: the local stack has no users. The token is the one `make token` issues (identity.issue_token).

A code is single-use, short-lived and bound to its client, its redirect URI and its PKCE challenge; a
redirect URI or logout URI that is not the client's own is refused with a page, never followed.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from tasks_local.runtime.identity import issue_token

AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
LOGOUT_PATH = "/logout"
CODE_SECONDS = 60
TOKEN_SECONDS = 3600  # as the Cognito app client's access tokens (infra/modules/api/cognito.tf)
GROUPS = {"approvers": "decide approval requests", "admins": "see and change every task"}
_USER = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_PKCE = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # a verifier (RFC 7636 §4.1); an S256 challenge is 43 of them
_PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class Refused(Exception):
    """A request the authorization server answers with an error, never with a redirect."""


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    user: str
    groups: tuple[str, ...]
    expires_at: float


def challenge_of(verifier: str) -> str:
    """S256: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class AuthorizationServer:
    """WSGI: the three endpoints. `clients` maps each client id to its one redirect (and logout) URI; a code
    is good for `code_seconds`."""

    def __init__(
        self, state_dir: Path, clients: dict[str, str], log: Any, code_seconds: float = CODE_SECONDS
    ) -> None:
        self._state_dir = state_dir
        self._clients = clients
        self._log = log
        self._code_seconds = code_seconds
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        path = (request.script_root + request.path).rstrip("/")  # mounted at /oauth2 and /logout
        endpoints = {
            ("GET", AUTHORIZE_PATH): self._picker,
            ("POST", AUTHORIZE_PATH): self._authorize,
            ("POST", TOKEN_PATH): self._token,
            ("GET", LOGOUT_PATH): self._logout,
        }
        endpoint = endpoints.get((request.method, path))
        if endpoint is None:
            response = Response("Not Found", 404, content_type="text/plain")
        else:
            try:
                response = endpoint(request)
            except Refused as exc:
                response = self._refusal(path, str(exc))
        return response(environ, start_response)

    def _request(self, fields: Any) -> dict[str, str]:
        """The authorization request's parameters, checked; a bad one is refused, not redirected to."""
        params = {name: fields.get(name, "") for name in _REQUEST_FIELDS}
        if self._clients.get(params["client_id"]) is None:
            raise Refused("unknown client_id")
        if params["redirect_uri"] != self._clients[params["client_id"]]:
            raise Refused("redirect_uri is not one registered for this client")
        if params["response_type"] != "code":
            raise Refused("response_type must be code")
        if params["code_challenge_method"] != "S256" or not _PKCE.fullmatch(params["code_challenge"]):
            raise Refused("a PKCE code_challenge with code_challenge_method S256 is required")
        if not params["state"]:
            raise Refused("state is required")
        return params

    def _picker(self, request: Request) -> Response:
        params = self._request(request.args)
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{escape(value)}">' for name, value in params.items()
        )
        groups = "".join(
            f'<p><input type="checkbox" id="group-{name}" name="groups" value="{name}">'
            f' <label for="group-{name}">{name}: {what}</label></p>'
            for name, what in GROUPS.items()
        )
        body = (
            "<h1>Sign in to the local stack</h1>"
            "<p>The local identity provider has no passwords: say who you are. In AWS, this page is the "
            "Cognito user pool's hosted sign-in.</p>"
            f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}'
            '<p><label for="user">User name</label> <input id="user" name="user" required '
            'autocomplete="username" pattern="[A-Za-z0-9._@\\-]{1,64}"></p>'
            f"<fieldset><legend>Groups</legend>{groups}</fieldset>"
            '<p><button type="submit">Sign in</button></p></form>'
        )
        return _page("Sign in", body, 200)

    def _authorize(self, request: Request) -> Response:
        params = self._request(request.form)
        user = request.form.get("user", "").strip()
        groups = tuple(request.form.getlist("groups"))
        if not _USER.fullmatch(user):
            raise Refused("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'")
        if not set(groups) <= GROUPS.keys():
            raise Refused("unknown group")
        code = secrets.token_urlsafe(32)
        grant = Grant(
            params["client_id"],
            params["redirect_uri"],
            params["code_challenge"],
            user,
            groups,
            time.monotonic() + self._code_seconds,
        )
        with self._lock:
            now = time.monotonic()
            self._grants = {key: kept for key, kept in self._grants.items() if kept.expires_at > now}
            self._grants[code] = grant
        self._log.write(f"signed in {user} ({', '.join(groups) or 'no groups'})\n")
        answer = urlencode({"code": code, "state": params["state"]})
        return Response(status=303, headers={"Location": f"{params['redirect_uri']}?{answer}"})

    def _token(self, request: Request) -> Response:
        """Exchange a code once, for the client it was issued to, with the verifier of its challenge."""
        form = request.form
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at <= time.monotonic():
            return _oauth_error("invalid_grant")
        if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant")
        verifier = form.get("code_verifier", "")
        if not _PKCE.fullmatch(verifier) or not hmac.compare_digest(challenge_of(verifier), grant.challenge):
            return _oauth_error("invalid_grant")
        token = issue_token(self._state_dir, grant.user, list(grant.groups), TOKEN_SECONDS)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
        return Response(json.dumps(body), 200, _NO_STORE, content_type="application/json")

    def _logout(self, request: Request) -> Response:
        """Cognito's /logout: back to the client's own logout URI (there is no session here to end)."""
        client, logout_uri = request.args.get("client_id", ""), request.args.get("logout_uri", "")
        if self._clients.get(client) is None or logout_uri != self._clients[client]:
            raise Refused("logout_uri is not one registered for this client")
        return Response(status=302, headers={"Location": logout_uri})

    def _refusal(self, path: str, reason: str) -> Response:
        if path == TOKEN_PATH:
            return _oauth_error("invalid_request")
        return _page("Sign-in refused", f"<h1>Sign-in refused</h1><p>{escape(reason)}</p>", 400)


_REQUEST_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(error: str) -> Response:
    """RFC 6749 §5.2: 400 with the error code as JSON."""
    return Response(json.dumps({"error": error}), 400, _NO_STORE, content_type="application/json")


def _page(title: str, body: str, status: int) -> Response:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<link rel="stylesheet" href="/app/style.css"></head>'
        f'<body><main id="main">{body}</main></body></html>'
    )
    headers = {**_NO_STORE, "Content-Security-Policy": _PAGE_POLICY, "X-Frame-Options": "DENY"}
    return Response(html, status, headers, content_type="text/html; charset=utf-8")
