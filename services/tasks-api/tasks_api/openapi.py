"""The OpenAPI 3.1 document of the API, assembled from the same JSON Schemas the handler validates with."""

from functools import cache
from typing import Any

from tasks_api.inputs import MAX_BODY_BYTES
from tasks_api.schemas import documents

_ERRORS = {
    "400": "Malformed JSON, a body or query that breaks the schema, or a query parameter the route does not "
    "take (details name the fields)",
    "401": "Missing, malformed, badly signed or expired bearer token",
    "403": "The caller may see the resource but not do this (an approval decision: not an approver, or "
    "the task's owner or assignee; the approvers' queue: not an approver)",
    "404": "No such task, or not visible to the caller",
    "409": "Conflicts with the task's state (status/approval rules: starting or completing a task awaiting "
    "approval, a decision on a task that awaits none or whose request had ended) or a concurrent write",
    "412": "If-Match names a version that is no longer current",
    "428": "If-Match is required here and was not sent (or was `*`): name the version you read",
    "413": f"Body over {MAX_BODY_BYTES} bytes",
    "415": "Content-Type is not JSON",
}
_TASK_ID = {"name": "taskId", "in": "path", "required": True, "schema": {"type": "string"}}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "ETag of the version the change applies to; a stale one gets 412.",
    "schema": {"type": "string"},
}
# API Gateway's JWT authorizer answers 401 itself, with only a message (the handler's own 401 has more).
_GATEWAY_ERROR = "gateway-error"
_GATEWAY_ERROR_SCHEMA = {
    "title": "GatewayError",
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "examples": ["Unauthorized"]}},
}
_DECIDED_VERSION = {
    **_IF_MATCH,
    "required": True,
    "description": 'ETag of the version the approver read (GET /tasks/{taskId}\'s ETag, or "<version>" of '
    "a GET /approvals item): the decision holds for that version only. Missing or `*`: 428; no longer "
    "current (the task changed since): 412, and nothing is decided.",
}
_ETAG_HEADER = {"ETag": {"description": "Version of the task, for If-Match", "schema": {"type": "string"}}}


def _component(file_name: str) -> str:
    return _GATEWAY_ERROR_SCHEMA["title"] if file_name == _GATEWAY_ERROR else documents()[file_name]["title"]


def _rewrite_refs(node: Any) -> Any:
    """`task.json#/properties/x` between files becomes `#/components/schemas/Task/properties/x`."""
    if isinstance(node, dict):
        rewritten = {
            key: _rewrite_refs(value) for key, value in node.items() if key not in ("$id", "$schema")
        }
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            file_name, _, pointer = ref.partition("#")
            rewritten["$ref"] = f"#/components/schemas/{_component(file_name)}{pointer}"
        return rewritten
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node


def _json(file_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{_component(file_name)}"}}}


def _operation(
    summary: str,
    success: tuple[str, str, str | None],
    errors: str,
    *,
    body: str | None = None,
    parameters: list | None = None,
    public: bool = False,
    headers: dict | None = None,
) -> dict[str, Any]:
    status, description, schema = success
    ok: dict[str, Any] = {"description": description}
    if schema:
        ok["content"] = _json(schema)
    if headers:
        ok["headers"] = headers
    responses = {status: ok}
    responses |= {
        code: {
            "description": _ERRORS[code],
            "content": _json("error.json" if code != "401" else _GATEWAY_ERROR),
        }
        for code in errors.split()
    }
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if body:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    if parameters:
        operation["parameters"] = parameters
    if public:
        operation["security"] = []
    return operation


def _query_parameters(file_name: str) -> list[dict[str, Any]]:
    query = documents()[file_name]
    return [
        {"name": name, "in": "query", "required": False, "schema": _rewrite_refs(schema)}
        for name, schema in query["properties"].items()
    ]


@cache
def openapi_document() -> dict[str, Any]:
    paths = {
        "/health": {"get": _operation("Liveness", ("200", "Healthy", "health.json"), "400", public=True)},
        "/openapi.json": {
            "get": _operation("This document", ("200", "The OpenAPI 3.1 document", None), "400", public=True)
        },
        "/tasks": {
            "post": _operation(
                "Create a task",
                ("201", "Created", "task.json"),
                "400 401 413 415",
                body="task-create.json",
                headers={**_ETAG_HEADER, "Location": {"schema": {"type": "string"}}},
            ),
            "get": _operation(
                "List own or assigned tasks (admins: all), newest first",
                ("200", "A page of tasks", "task-list.json"),
                "400 401 403",
                parameters=_query_parameters("list-query.json"),
            ),
        },
        "/tasks/{taskId}": {
            "get": _operation(
                "Read a task",
                ("200", "The task", "task.json"),
                "400 401 404",
                parameters=[_TASK_ID],
                headers=_ETAG_HEADER,
            ),
            "put": _operation(
                "Change a task's fields (the assignee: status only)",
                ("200", "The updated task", "task.json"),
                "400 401 403 404 409 412 413 415",
                body="task-update.json",
                parameters=[_TASK_ID, _IF_MATCH],
                headers=_ETAG_HEADER,
            ),
            "delete": _operation(
                "Delete a task",
                ("204", "Deleted", None),
                "400 401 403 404 409 412",
                parameters=[_TASK_ID, _IF_MATCH],
            ),
        },
        "/tasks/{taskId}/history": {
            "get": _operation(
                "Read a task's audit trail (who changed what, when), newest first",
                ("200", "A page of history entries", "history.json"),
                "400 401 404",
                parameters=[_TASK_ID, *_query_parameters("history-query.json")],
            )
        },
        "/tasks/{taskId}/approval": {
            "post": _operation(
                "Decide a task's approval request on the version read (approvers only, never the task's "
                "owner or assignee)",
                (
                    "202",
                    "Accepted: the workflow records the decision on the task within a second",
                    "approval-accepted.json",
                ),
                "400 401 403 404 409 412 413 415 428",
                body="approval-decision.json",
                parameters=[_TASK_ID, _DECIDED_VERSION],
                headers={
                    "Location": {
                        "description": "The task, where the outcome shows",
                        "schema": {"type": "string"},
                    }
                },
            )
        },
        "/approvals": {
            "get": _operation(
                "List the tasks awaiting approval, oldest request first (approvers only)",
                ("200", "A page of tasks awaiting approval", "approval-list.json"),
                "400 401 403",
                parameters=_query_parameters("approvals-query.json"),
            )
        },
        "/stats": {
            "get": _operation(
                "The caller's counters: tasks created (by priority), completed, cycle time",
                ("200", "The caller's counters", "stats.json"),
                "400 401",
            )
        },
    }
    schemas = {document["title"]: _rewrite_refs(document) for document in documents().values()}
    schemas[_GATEWAY_ERROR_SCHEMA["title"]] = _GATEWAY_ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tasks API",
            "version": "1.0.0",
            "description": "REST API of the event-driven task platform. Errors share one body: "
            "{message, code, details}.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
