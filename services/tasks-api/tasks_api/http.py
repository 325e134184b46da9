"""HTTP-level concerns of the API: request errors, the error body, body/header parsing."""

import json
import re
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from tasks_shared import errors
from tasks_shared.model import Caller

MAX_BODY_BYTES = 16 * 1024
MAX_SUBJECT_LENGTH = 255  # OpenID Connect Core §2: `sub` is at most 255 ASCII characters
_JSON_MEDIA_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json\s*(;.*)?$", re.IGNORECASE)
_STRONG_ETAG = re.compile(r'"([1-9][0-9]{0,17})"')  # exactly the tags we issue: "01" is not "1"


class Unauthorized(errors.DomainError):
    code = "UNAUTHORIZED"


class PayloadTooLarge(errors.DomainError):
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(errors.DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class MalformedJson(errors.DomainError):
    code = "MALFORMED_JSON"


STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    MalformedJson: 400,
    errors.ValidationFailed: 400,
    errors.InvalidPageToken: 400,
    Unauthorized: 401,
    errors.NotAllowed: 403,
    errors.TaskNotFound: 404,
    errors.VersionConflict: 409,
    errors.InvalidTransition: 409,
    errors.PreconditionFailed: 412,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")) if body is not None else None,
        headers=headers,
    )


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return json_response(status, {"message": message, "code": code, "details": details or []})


def json_body(headers: dict[str, str], raw: bytes | None) -> Any:
    """The request body as JSON, after the size (413) and media type (415) checks.

    Only UTF-8 JSON (RFC 8259) whose strings are Unicode is accepted: a lone surrogate escape such as
    "\\ud800" parses in Python but cannot be stored, so it is refused here as malformed too.
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
        document = json.loads(raw.decode("utf-8"))
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeError as exc:
        raise MalformedJson("the body is not UTF-8 text, or has a string that is not valid Unicode") from exc
    except (ValueError, RecursionError) as exc:
        raise MalformedJson("the body is not valid JSON") from exc
    return document


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


def caller_from_claims(claims: dict[str, Any] | None, correlation_id: str | None = None) -> Caller:
    """The caller from verified JWT claims; groups come as a list or as API Gateway's "[a b]" string."""
    subject = (claims or {}).get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_LENGTH:
        raise Unauthorized("a valid bearer token is required")
    groups = claims.get("cognito:groups") or []
    if isinstance(groups, str):
        groups = groups.strip("[]").split()  # API Gateway's "[a b]": a comma may be part of a group name
    return Caller(
        user_id=subject, groups=frozenset(str(group) for group in groups), correlation_id=correlation_id
    )
