"""A local identity provider and a JWT authorizer that behaves like API Gateway's.

Tokens are RS256-signed with a key kept in the state folder, so `make token` and `make dev` agree
across restarts. The authorizer checks signature, issuer, audience and expiry with PyJWT and hands
the claims on in API Gateway's shape (every claim a string, arrays as "[a b]").

That flattened form cannot carry a group name with whitespace or brackets ("[support admins]" reads
as two groups), so neither the issuer nor the authorizer accepts one: the API reads groups from the
token itself, and an IdP should not hold such names either (README, "Groups").
"""

import contextlib
import re
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tasks_local.runtime.settings import write_private

ISSUER = "https://idp.tasks.local"
AUDIENCE = "tasks-api"
GROUPS_CLAIM = "cognito:groups"
_UNSAFE_GROUP_NAME = re.compile(r"[\s\[\]]")


def check_group_names(groups: list[Any]) -> None:
    """Refuse a group name that API Gateway's flattened "[a b]" claim cannot carry unambiguously."""
    for group in groups:
        if not isinstance(group, str) or not group or _UNSAFE_GROUP_NAME.search(group):
            raise ValueError(
                f"group name {group!r} is not allowed: a group name is one word, without whitespace or "
                'brackets, because API Gateway hands the groups on as one string "[a b]"'
            )


def _signing_key(state_dir: Path) -> rsa.RSAPrivateKey:
    path = state_dir / "jwt-signing-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Two first runs at once (`make dev` and `make token`) must agree on one key: the first wins.
        with contextlib.suppress(FileExistsError):
            write_private(path, pem, first_writer_wins=True)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def issue_token(state_dir: Path, user: str, groups: list[str], ttl_seconds: int = 3600) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user,
        "iat": now,
        "exp": now + ttl_seconds,
        "token_use": "access",
    }
    if groups:
        check_group_names(groups)
        claims[GROUPS_CLAIM] = groups
    return jwt.encode(claims, _signing_key(state_dir), algorithm="RS256")


class Unauthorized(Exception):
    """The request gets API Gateway's 401 before any handler runs."""


class JwtAuthorizer:
    def __init__(self, state_dir: Path) -> None:
        self._public_key = _signing_key(state_dir).public_key()

    def claims(self, authorization: str | None) -> dict[str, str]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("missing bearer token")
        try:
            claims = jwt.decode(
                token.strip(),
                self._public_key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(str(exc)) from exc
        groups = claims.get(GROUPS_CLAIM, [])
        try:
            check_group_names(groups if isinstance(groups, list) else [groups])
        except ValueError as exc:
            raise Unauthorized(str(exc)) from exc
        return {name: _as_gateway_string(value) for name, value in claims.items()}


def _as_gateway_string(value: Any) -> str:
    """API Gateway passes every claim to Lambda as a string; arrays look like "[a b]"."""
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)
