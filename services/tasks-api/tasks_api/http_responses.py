"""Shaping a response: a JSON body, and the contract's error body {message, code, details}."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")) if body is not None else None,
        headers=headers,
    )


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return json_response(status, {"message": message, "code": code, "details": details or []})


def page_response(items: list[dict[str, Any]], next_token: str | None) -> Response:
    return json_response(200, {"items": items, "nextToken": next_token})
