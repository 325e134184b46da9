"""Sample events under events/: one loader for tests, benchmarks and `make invoke`."""

import base64
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from tasks_local.runtime.settings import REPO_ROOT

EVENTS_DIR = REPO_ROOT / "events"
SAMPLE_IAT = "1795297600"  # the samples' `iat` claim (API Gateway hands claims on as text)


@cache
def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of events/<name>.json (e.g. "api/create-task"), safe to modify."""
    return copy.deepcopy(_read(EVENTS_DIR / f"{name}.json"))


def _base64url(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def bearer_token(claims: dict[str, Any]) -> str:
    """A JWT holding these claims, as the Authorization header of a request API Gateway verified. Its
    signature is a placeholder: the gateway checks it, the handler never does."""
    return f"{_base64url({'alg': 'RS256', 'typ': 'JWT'})}.{_base64url(claims)}.sample-signature"


def api_event(
    name: str,
    *,
    user: str | None = "alice",
    groups: tuple[str, ...] = (),
    body: Any = None,
    raw_body: str | None = None,
    binary_body: bytes | None = None,
    task_id: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A payload 2.0 sample (events/api/<name>.json) re-addressed: caller, body, task id, query, headers.

    `binary_body` is sent as API Gateway sends a body that is not UTF-8 text: base64-encoded.

    `user=None` drops the authorizer context, as for a route without a JWT authorizer; otherwise the
    Authorization header holds a token with the claims' `sub`, `iat` and `groups` (as an array), the
    one the authorizer's claims were read from.
    """
    event = load_event(f"api/{name}")
    if user is None:
        event["requestContext"].pop("authorizer", None)
    else:
        claims = event["requestContext"].setdefault("authorizer", {"jwt": {"scopes": None}})["jwt"]
        claims["claims"] = {"iat": SAMPLE_IAT, **claims.get("claims", {}), "sub": user}
        payload: dict[str, Any] = {"sub": user, "iat": int(claims["claims"]["iat"])}
        if groups:
            claims["claims"]["cognito:groups"] = "[" + " ".join(groups) + "]"
            payload["cognito:groups"] = list(groups)
        event["headers"]["authorization"] = f"Bearer {bearer_token(payload)}"
    if body is not None:
        raw_body = json.dumps(body)
    if raw_body is not None:
        event["body"] = raw_body
        event["headers"]["content-length"] = str(len(raw_body.encode()))
    if binary_body is not None:
        event["body"], event["isBase64Encoded"] = base64.b64encode(binary_body).decode(), True
        event["headers"]["content-length"] = str(len(binary_body))
    if task_id is not None:
        # The route's template says where the id goes: /tasks/{taskId} or /tasks/{taskId}/history.
        path = event["routeKey"].split(" ", 1)[1].replace("{taskId}", task_id)
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"taskId": task_id}
    if query is not None:
        event["queryStringParameters"] = query or None
        event["rawQueryString"] = "&".join(f"{key}={value}" for key, value in query.items())
    for key, value in (headers or {}).items():  # None drops a header the sample has
        if value is None:
            event["headers"].pop(key.lower(), None)
        else:
            event["headers"][key.lower()] = value
    return event
