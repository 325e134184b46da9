"""Every paginated read, one way: storage reads limit+1 items, the service signs where to resume.

A repository returns a `Page` whose `next` is its cursor (where its Query resumes), or None on the last
page. The service turns that cursor into an opaque token bound to the caller and the query
(`Paging.signed`), and a token back into the cursor (`Paging.cursor`): base64url(JSON payload) + "." +
base64url(HMAC-SHA256). Changing a byte, or replaying a token into another caller's or another
filter's query, fails the check and becomes a 400.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tasks_shared.domain.errors import InvalidPageToken

DEFAULT_PAGE_SIZE = 20
_MAX_TOKEN_LENGTH = 2048

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items, and where the next page starts: a storage cursor from a repository, an opaque
    token from a service; None when there is no next page."""

    items: list[T]
    next: Any = None


def one_more(items: Sequence[T], limit: int) -> tuple[list[T], bool]:
    """Split what a read of limit+1 items returned into the page and whether a next page exists: the
    extra item tells, without reading an empty page."""
    return list(items[:limit]), len(items) > limit


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _checked(secret: bytes) -> bytes:
    if len(secret) < 16:
        raise ValueError("the pagination secret must be at least 16 bytes")
    return secret


class PageTokens:
    """Signs and checks page tokens with a secret key: the key itself, or a function that reads it.
    A function is called at the first token signed or checked, so a request that pages nothing (a
    create, a read by id) never fetches the key."""

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._read_secret = secret if callable(secret) else lambda: secret
        if not callable(secret):
            _checked(secret)

    @functools.cached_property
    def _secret(self) -> bytes:
        return _checked(self._read_secret())

    def _sign(self, payload: str, binding: str) -> str:
        message = f"{binding}\n{payload}".encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    def encode(self, cursor: dict[str, Any], binding: str) -> str:
        payload = _b64(json.dumps(cursor, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload, binding)}"

    def decode(
        self, token: str, binding: str, valid: Callable[[dict[str, Any]], bool] = lambda _cursor: True
    ) -> dict[str, Any]:
        """The cursor in a token this service issued for this binding and that `valid` accepts."""
        if len(token) > _MAX_TOKEN_LENGTH:
            raise _invalid()
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload, binding).encode()):
            raise _invalid()
        try:
            cursor = json.loads(_unb64(payload))
        except ValueError as exc:
            raise _invalid() from exc
        if not isinstance(cursor, dict) or not valid(cursor):
            raise _invalid()
        return cursor


def _invalid() -> InvalidPageToken:
    return InvalidPageToken(
        "nextToken is not valid for this query", [{"field": "nextToken", "issue": "invalid"}]
    )


@dataclass(frozen=True)
class Paging:
    """A service's side of pagination: tokens in, a storage read, a token out."""

    tokens: PageTokens

    def read(
        self,
        binding: str,
        next_token: str | None,
        read: Callable[[dict[str, Any] | None], Page[T]],
        valid: Callable[[dict[str, Any]], bool] = lambda _cursor: True,
    ) -> Page[T]:
        """One page: the token checked and turned into a cursor, the read, its cursor signed."""
        cursor = self.tokens.decode(next_token, binding, valid) if next_token else None
        page = read(cursor)
        return Page(page.items, self.tokens.encode(page.next, binding) if page.next else None)
