"""The API's three descriptions agree: manifest routes, the handler's routes and the OpenAPI document."""

import json
import re

import pytest
from openapi_spec_validator import validate

from tasks_api.handler import lambda_handler
from tasks_api.openapi import openapi_document
from tasks_api.schemas import documents, validator
from tasks_local.runtime.functions import LambdaContext
from tasks_local.runtime.manifest import load_all
from tests.support.samples import api_event

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _manifest_routes() -> set[tuple[str, str]]:
    manifest = load_all()["tasks-api"]
    return {(e["httpApi"]["method"].upper(), e["httpApi"]["path"]) for e in manifest.events if "httpApi" in e}


def _openapi_routes() -> set[tuple[str, str]]:
    paths = openapi_document()["paths"]
    return {
        (method.upper(), path) for path, item in paths.items() for method in item if method in HTTP_METHODS
    }


def test_openapi_document_is_valid_openapi_3_1():
    validate(openapi_document())


def test_every_manifest_route_is_documented_and_nothing_else():
    assert _manifest_routes() == _openapi_routes()


def test_public_routes_are_exactly_the_ones_the_document_marks_public():
    manifest = load_all()["tasks-api"]
    public = {
        (e["httpApi"]["method"], e["httpApi"]["path"])
        for e in manifest.events
        if e["httpApi"]["auth"] == "none"
    }
    paths = openapi_document()["paths"]
    documented = {
        (method.upper(), path)
        for path, item in paths.items()
        for method, operation in item.items()
        if operation.get("security") == []
    }
    assert public == documented


def _request(method: str, path: str, query: dict[str, str] | None = None) -> dict:
    """The route's request as API Gateway forwards it, by alice, without a body."""
    event = api_event("get-task", query=query)
    concrete = path.replace("{taskId}", "missing-task")
    event["rawPath"] = event["requestContext"]["http"]["path"] = concrete
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    return lambda_handler(event, LambdaContext("tasks-api"))


@pytest.mark.parametrize(("method", "path"), sorted(_manifest_routes()))
def test_every_manifest_route_reaches_a_handler_route(aws, method, path):
    """A route API Gateway forwards must not fall through to the handler's not-found route."""
    result = _request(method, path)
    assert "ROUTE_NOT_FOUND" not in (result.get("body") or "")


@pytest.mark.parametrize(("method", "path"), sorted(_manifest_routes()))
def test_every_route_refuses_a_query_parameter_it_does_not_take(aws, method, path):
    """One rule for every route, those without parameters too: never silently ignored."""
    result = _request(method, path, query={"unknown": "1"})
    assert result["statusCode"] == 400
    assert json.loads(result["body"])["details"] == [{"field": "unknown", "issue": "is not allowed"}]


def _list_parameter(name: str) -> dict:
    parameters = openapi_document()["paths"]["/tasks"]["get"]["parameters"]
    (parameter,) = [parameter for parameter in parameters if parameter["name"] == name]
    return parameter["schema"]


@pytest.mark.parametrize(
    ("where", "schema"),
    [
        ("TaskCreate.title", lambda c: c["TaskCreate"]["properties"]["title"]),
        ("TaskCreate.assignee", lambda c: c["TaskCreate"]["properties"]["assignee"]),
        ("TaskCreate.tags", lambda c: c["TaskCreate"]["properties"]["tags"]),
        ("TaskUpdate.title", lambda c: c["TaskUpdate"]["properties"]["title"]),
        ("GET /tasks?owner", lambda _: _list_parameter("owner")),
        ("GET /tasks?assignee", lambda _: _list_parameter("assignee")),
    ],
)
def test_the_document_states_the_text_rules_of_user_text(where, schema):
    """Clients read from the OpenAPI document what a title or user id may hold, not from a 400."""
    components = openapi_document()["components"]["schemas"]
    assert '"#/components/schemas/TextLine"' in json.dumps(schema(components)), where
    assert [rule.get("x-issue") for rule in components["TextLine"]["allOf"]] == [
        "must not contain control characters, line breaks or bidirectional overrides",
        "must not be blank",
    ]


def _patterns(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [pattern for value in node.values() for pattern in _patterns(value)]
    if isinstance(node, list):
        return [pattern for value in node for pattern in _patterns(value)]
    return []


def test_the_text_rules_read_alike_in_ecmascript_and_python():
    """The document's patterns are ECMA-262, the handler runs them with Python's re: the text rules keep
    to what both read alike, one bracketed class of \\u escapes (never $, which in Python also matches
    before a final newline)."""
    patterns = list(_patterns(documents()["text.json"]))
    assert len(patterns) == 3
    for pattern in patterns:
        assert re.fullmatch(r"\[\^?(?:\\u[0-9a-f]{4}(?:-\\u[0-9a-f]{4})?)+\]", pattern), pattern


def test_every_schema_file_is_a_valid_json_schema():
    for name in documents():
        validator(name).check_schema(documents()[name])


def test_every_json_body_in_the_document_refers_to_a_component():
    document = openapi_document()
    components = document["components"]["schemas"]
    for item in document["paths"].values():
        for operation in (op for method, op in item.items() if method in HTTP_METHODS):
            for response in operation["responses"].values():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                ref = schema.get("$ref", "")
                assert not ref or ref.removeprefix("#/components/schemas/") in components
