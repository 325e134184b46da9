"""Opaque page tokens: the repository's cursor, signed and bound to the query that produced it.

A token is base64url(JSON payload) + "." + base64url(HMAC-SHA256). Changing a byte, or replaying a
token into another caller's or another filter's query, fails the check and becomes a 400.
"""

import base64
import hashlib
import hmac
import json
from typing import Any

from tasks_shared.errors import InvalidPageToken

_MAX_TOKEN_LENGTH = 2048


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the pagination secret must be at least 16 bytes")
        self._secret = secret

    def _sign(self, payload: str, binding: str) -> str:
        message = f"{binding}\n{payload}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def encode(self, cursor: dict[str, Any], binding: str) -> str:
        payload = _b64(json.dumps(cursor, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload, binding)}"

    def decode(self, token: str, binding: str) -> dict[str, Any]:
        invalid = InvalidPageToken(
            "nextToken is not valid for this query", [{"field": "nextToken", "issue": "invalid"}]
        )
        payload, _, signature = token.partition(".")
        if len(token) > _MAX_TOKEN_LENGTH or not payload or not signature:
            raise invalid
        if not hmac.compare_digest(signature.encode(), self._sign(payload, binding).encode()):
            raise invalid
        try:
            cursor = json.loads(_unb64(payload))
        except ValueError as exc:
            raise invalid from exc
        if not isinstance(cursor, dict):
            raise invalid
        return cursor
