"""Reading a request: who calls, the task id, the query string, the JSON body and If-Match, each checked.

Every route reads its request through here, so each route is parse → one domain call → response.
"""

import base64
import json
import re
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tasks_api.errors import MalformedJson, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tasks_api.schemas import validate
from tasks_shared.domain.errors import TaskNotFound
from tasks_shared.domain.model import Caller

MAX_BODY_BYTES = 16 * 1024
MAX_SUBJECT_LENGTH = 255  # OpenID Connect Core §2: `sub` is at most 255 ASCII characters
GROUPS_CLAIM = "cognito:groups"
_TIED_CLAIMS = ("sub", "iat")  # what ties the header's token to the claims the authorizer verified
_JWS_PARTS = 3  # header.payload.signature
_TASK_ID_MAX = 64
_KEY_SHOWN = 64  # of a duplicate key, in the error
_DECIMAL = re.compile(r"[0-9]{1,9}")
_JSON_MEDIA_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;.*)?$", re.IGNORECASE)
_STRONG_ETAG = re.compile(r'"([1-9][0-9]{0,17})"')  # exactly the tags we issue: "01" is not "1"


def caller(event: APIGatewayProxyEventV2) -> Caller:
    """The caller from the authorizer's claims and the token they came from; the request id becomes
    its correlation id."""
    context = event.request_context
    return caller_from_claims(
        context.authorizer.jwt_claim, event.headers.get("authorization"), context.request_id
    )


def caller_from_claims(
    claims: dict[str, Any] | None, authorization: str | None = None, correlation_id: str | None = None
) -> Caller:
    """The caller from verified JWT claims, with the groups of the token they were verified from."""
    subject = (claims or {}).get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
        raise Unauthorized("a valid bearer token is required")
    return Caller(user_id=subject, groups=token_groups(claims, authorization), correlation_id=correlation_id)


def token_groups(claims: dict[str, Any], authorization: str | None) -> frozenset[str]:
    """The groups claim as the token holds it: a JSON array (or one group as text).

    API Gateway hands an array claim on flattened ("[support admins]"), which cannot tell a group named
    "support admins" from the groups "support" and "admins". So the groups are read from the payload of
    the bearer token itself, which API Gateway has verified (its signature is not checked again here),
    and only when its `sub` and `iat` are the authorizer's claims: a payload that cannot be tied to
    them gives no groups, never more.
    """
    payload = _token_payload(authorization)
    if payload is None or not _tied(payload, claims):
        return frozenset()
    groups = payload.get(GROUPS_CLAIM)
    if isinstance(groups, str):  # an IdP that writes a single group as text
        groups = [groups]
    if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
        return frozenset()
    return frozenset(groups)


def _token_payload(authorization: str | None) -> dict[str, Any] | None:
    scheme, _, token = (authorization or "").strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != _JWS_PARTS:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _tied(payload: dict[str, Any], claims: dict[str, Any]) -> bool:
    return all(
        _claim_text(claims.get(name)) is not None
        and _claim_text(payload.get(name)) == _claim_text(claims.get(name))
        for name in _TIED_CLAIMS
    )


def _claim_text(value: Any) -> str | None:
    """A claim as API Gateway hands it to Lambda: text, a number as its digits."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def task_id(raw: str) -> str:
    """Ids are ours: anything longer than one of them cannot exist, so it is a 404 without a read."""
    if len(raw) > _TASK_ID_MAX:
        raise TaskNotFound(raw[:_TASK_ID_MAX])
    return raw


def query(event: APIGatewayProxyEventV2, schema: str) -> dict[str, Any]:
    """The query string validated against schemas/<schema>; `limit` arrives as text and is a number."""
    params: dict[str, Any] = dict(event.query_string_parameters or {})
    if _DECIMAL.fullmatch(params.get("limit", "")):  # anything else stays text, for the schema to refuse
        params["limit"] = int(params["limit"])
    return validate(schema, params, what="query string")


def no_query(event: APIGatewayProxyEventV2) -> None:
    """Routes without parameters check for none: an unknown parameter is a 400 on every route, as on
    those that take a fixed set, rather than silently ignored on some."""
    query(event, "no-query.json")


def body(event: APIGatewayProxyEventV2, schema: str) -> dict[str, Any]:
    """The JSON body (size, media type, syntax checked) validated against schemas/<schema>.

    The bytes as sent: API Gateway base64-encodes a body that is not UTF-8 text, and decoding it as
    text before the size and media type checks would turn a 413 or 415 into a crash.
    """
    text = event.body or ""
    raw = base64.b64decode(text) if event.is_base64_encoded else text.encode("utf-8", "surrogatepass")
    return validate(schema, json_body(event.headers, raw))


def json_body(headers: dict[str, str], raw: bytes | None) -> Any:
    """The request body as JSON, after the size (413) and media type (415) checks.

    Only UTF-8 JSON (RFC 8259) whose strings are Unicode is accepted: a lone surrogate escape such as
    "\\ud800" parses in Python but cannot be stored, and NaN or Infinity are Python's, not JSON.
    """
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}")
    media_type = headers.get("content-type", "")
    if not _JSON_MEDIA_TYPE.match(media_type):
        raise UnsupportedMediaType(
            f"send JSON with Content-Type: application/json (got {media_type or 'none'})"
        )
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_not_json, object_pairs_hook=_unique_keys)
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except DuplicateKey as exc:
        key = exc.key[:_KEY_SHOWN] + ("…" if len(exc.key) > _KEY_SHOWN else "")
        raise MalformedJson(
            f"the body names the key {key!r} more than once: send each key once",
            [{"field": key, "issue": "duplicate key"}],
        ) from exc
    except UnicodeError as exc:
        raise MalformedJson("the body is not UTF-8 text, or has a string that is not valid Unicode") from exc
    except (ValueError, RecursionError) as exc:
        raise MalformedJson("the body is not valid JSON") from exc
    return document


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


class DuplicateKey(ValueError):
    """An object names a key twice. RFC 8259 leaves the meaning open and parsers disagree (Python keeps
    the last), so `{"decision": "reject", "decision": "approve"}` could be read two ways: refused."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise DuplicateKey(key)
        document[key] = value
    return document


def if_match(event: APIGatewayProxyEventV2) -> frozenset[int] | None:
    return if_match_versions(event.headers)


def if_match_versions(headers: dict[str, str]) -> frozenset[int] | None:
    """The versions If-Match accepts (RFC 9110): None when absent or `*`.

    If-Match compares strongly, so weak (W/) and unparsable tags match no version; a header of only
    such tags yields the empty set, which fails the precondition.
    """
    value = headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    tags = (_STRONG_ETAG.fullmatch(tag.strip()) for tag in value.split(","))
    return frozenset(int(tag.group(1)) for tag in tags if tag)
