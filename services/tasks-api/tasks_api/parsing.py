"""Reading a request: who calls, the task id, the query string and the JSON body, each validated.

Shared by every route module, so each route is parse → one domain call → response.
"""

import base64
import re
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tasks_api import http
from tasks_api.schemas import validate
from tasks_shared.errors import TaskNotFound
from tasks_shared.model import Caller

_TASK_ID_MAX = 64
_DECIMAL = re.compile(r"[0-9]{1,9}")


def caller(event: APIGatewayProxyEventV2) -> Caller:
    """The caller from the authorizer's claims; the request id becomes its correlation id."""
    context = event.request_context
    return http.caller_from_claims(context.authorizer.jwt_claim, context.request_id)


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


def body(event: APIGatewayProxyEventV2, schema: str) -> dict[str, Any]:
    """The JSON body (size, media type, syntax checked) validated against schemas/<schema>.

    The bytes as sent: API Gateway base64-encodes a body that is not UTF-8 text, and decoding it as
    text before the size and media type checks would turn a 413 or 415 into a crash.
    """
    text = event.body or ""
    raw = base64.b64decode(text) if event.is_base64_encoded else text.encode("utf-8", "surrogatepass")
    return validate(schema, http.json_body(event.headers, raw))
