"""The OpenAPI 3.1 document of the API, assembled from the same JSON Schemas the handler validates with.

Every schema a client generator meets is a whole component: each schema file is one (named by its
title), and so is each entry of a file's `$defs` (named by its key). A `$ref` names a component, never a
place inside one: `#/components/schemas/Task/properties/title` is valid OpenAPI, but most generators
(openapi-python-client among them) drop every operation that reaches such a pointer. The document holds
the components its operations reach, and nothing else (the query-string schemas become parameters).
"""

from functools import cache
from typing import Any

from tasks_api.inputs import MAX_BODY_BYTES
from tasks_api.schemas import documents

_COMPONENTS = "#/components/schemas/"
_DEFS = "/$defs/"
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
# Generators group operations by their first tag (openapi-python-client: one module per tag).
_TAGS = {
    "tasks": "Create, read, list, change and delete tasks",
    "approvals": "The approvers' queue and their decisions on high-priority tasks",
    "activity": "What the event consumers record: each task's audit trail, each caller's counters",
    "service": "Liveness and this document",
}
_TASK_ID = {
    "name": "taskId",
    "in": "path",
    "required": True,
    "description": "The task's id (its `id`)",
    "schema": {"type": "string"},
}
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
    "description": "The body of a 401 from API Gateway's JWT authorizer, before any handler runs.",
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
_LOCATION_HEADER = {"description": "The task's URL path", "schema": {"type": "string"}}


def _title(file_name: str) -> str:
    return _GATEWAY_ERROR_SCHEMA["title"] if file_name == _GATEWAY_ERROR else documents()[file_name]["title"]


def component_ref(ref: str, file_name: str) -> str:
    """`task.json`, `task.json#/$defs/Priority` or `#/$defs/Priority` (in task.json): the component's $ref."""
    target, _, pointer = ref.partition("#")
    if not pointer:
        return _COMPONENTS + _title(target or file_name)
    name = pointer.removeprefix(_DEFS)
    if pointer == name or "/" in name:
        raise ValueError(f"{file_name}: $ref {ref!r} points inside a schema; name what it needs in $defs")
    return _COMPONENTS + name


def _rewrite_refs(node: Any, file_name: str) -> Any:
    """A schema of `file_name` as a component: references name components, the file's own keywords go."""
    if isinstance(node, dict):
        rewritten = {
            key: _rewrite_refs(value, file_name)
            for key, value in node.items()
            if key not in ("$id", "$schema", "$defs")
        }
        if isinstance(node.get("$ref"), str):
            rewritten["$ref"] = component_ref(node["$ref"], file_name)
        return rewritten
    if isinstance(node, list):
        return [_rewrite_refs(value, file_name) for value in node]
    return node


def _all_components() -> dict[str, Any]:
    """Every schema file, by its title, and every entry of its $defs, by its name."""
    components: dict[str, Any] = {_GATEWAY_ERROR_SCHEMA["title"]: _GATEWAY_ERROR_SCHEMA}

    def add(name: str, schema: Any, file_name: str) -> None:
        if name in components:
            raise ValueError(f"{file_name}: the component name {name!r} is taken")
        components[name] = _rewrite_refs(schema, file_name)

    for file_name, document in sorted(documents().items()):
        add(document["title"], document, file_name)
        for name, schema in document.get("$defs", {}).items():
            add(name, schema, file_name)
    return components


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].removeprefix(_COMPONENTS)} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _reached(paths: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The components the operations reach, directly or through other components, in a stable order."""
    reached: set[str] = set()
    pending = _refs(paths)
    while pending:
        name = pending.pop()
        reached.add(name)
        pending |= _refs(components[name]) - reached
    return {name: schema for name, schema in sorted(components.items()) if name in reached}


def _json(file_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _COMPONENTS + _title(file_name)}}}


def _operation(
    operation_id: str,
    tag: str,
    summary: str,
    success: tuple[str, str, str | None],
    errors: str,
    *,
    body: str | None = None,
    parameters: list | None = None,
    public: bool = False,
    headers: dict | None = None,
) -> dict[str, Any]:
    """One operation; its operationId is what generated clients name their function after, so it stays."""
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
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "responses": responses,
    }
    if body:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    if parameters:
        operation["parameters"] = parameters
    if public:
        operation["security"] = []
    return operation


def _query_parameters(file_name: str) -> list[dict[str, Any]]:
    """The query-string schema's properties, each a parameter (the schema itself is no component)."""
    query = documents()[file_name]
    return [
        {"name": name, "in": "query", "required": False, "schema": _rewrite_refs(schema, file_name)}
        for name, schema in query["properties"].items()
    ]


def _paths() -> dict[str, Any]:
    return {
        "/health": {
            "get": _operation(
                "getHealth", "service", "Liveness", ("200", "Healthy", "health.json"), "400", public=True
            )
        },
        "/openapi.json": {
            "get": _operation(
                "getOpenApiDocument",
                "service",
                "This document",
                ("200", "The OpenAPI 3.1 document", "openapi-document.json"),
                "400",
                public=True,
            )
        },
        "/tasks": {
            "post": _operation(
                "createTask",
                "tasks",
                "Create a task",
                ("201", "Created", "task.json"),
                "400 401 413 415",
                body="task-create.json",
                headers={**_ETAG_HEADER, "Location": _LOCATION_HEADER},
            ),
            "get": _operation(
                "listTasks",
                "tasks",
                "List own or assigned tasks (admins: all), newest first",
                ("200", "A page of tasks", "task-list.json"),
                "400 401 403",
                parameters=_query_parameters("list-query.json"),
            ),
        },
        "/tasks/{taskId}": {
            "get": _operation(
                "getTask",
                "tasks",
                "Read a task",
                ("200", "The task", "task.json"),
                "400 401 404",
                parameters=[_TASK_ID],
                headers=_ETAG_HEADER,
            ),
            "put": _operation(
                "updateTask",
                "tasks",
                "Change a task's fields (the assignee: status only)",
                ("200", "The updated task", "task.json"),
                "400 401 403 404 409 412 413 415",
                body="task-update.json",
                parameters=[_TASK_ID, _IF_MATCH],
                headers=_ETAG_HEADER,
            ),
            "delete": _operation(
                "deleteTask",
                "tasks",
                "Delete a task",
                ("204", "Deleted", None),
                "400 401 403 404 409 412",
                parameters=[_TASK_ID, _IF_MATCH],
            ),
        },
        "/tasks/{taskId}/history": {
            "get": _operation(
                "getTaskHistory",
                "activity",
                "Read a task's audit trail (who changed what, when), newest first",
                ("200", "A page of history entries", "history.json"),
                "400 401 404",
                parameters=[_TASK_ID, *_query_parameters("history-query.json")],
            )
        },
        "/tasks/{taskId}/approval": {
            "post": _operation(
                "decideApproval",
                "approvals",
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
                    "Location": {**_LOCATION_HEADER, "description": "The task: where the outcome shows"}
                },
            )
        },
        "/approvals": {
            "get": _operation(
                "listApprovals",
                "approvals",
                "List the tasks awaiting approval, oldest request first (approvers only)",
                ("200", "A page of tasks awaiting approval", "approval-list.json"),
                "400 401 403",
                parameters=_query_parameters("approvals-query.json"),
            )
        },
        "/stats": {
            "get": _operation(
                "getStats",
                "activity",
                "The caller's counters: tasks created (by priority), completed, cycle time",
                ("200", "The caller's counters", "stats.json"),
                "400 401",
            )
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    paths = _paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tasks API",
            "version": "1.0.0",
            "description": "REST API of the event-driven task platform. Errors share one body: "
            "{message, code, details}.",
            "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name, "description": description} for name, description in _TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": _reached(paths, _all_components()),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
