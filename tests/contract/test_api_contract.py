"""The API's three descriptions agree: manifest routes, the handler's routes and the OpenAPI document."""

import pytest
from openapi_spec_validator import validate

from tasks_api.handler import lambda_handler
from tasks_api.openapi import openapi_document
from tasks_api.schemas import documents, validator
from tasks_local.functions import LambdaContext
from tasks_local.manifest import load_all
from tasks_local.samples import api_event

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


@pytest.mark.parametrize(("method", "path"), sorted(_manifest_routes()))
def test_every_manifest_route_reaches_a_handler_route(aws, method, path):
    """A route API Gateway forwards must not fall through to the handler's not-found route."""
    event = api_event("get-task")
    concrete = path.replace("{taskId}", "missing-task")
    event["rawPath"] = event["requestContext"]["http"]["path"] = concrete
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    result = lambda_handler(event, LambdaContext("tasks-api"))
    assert "ROUTE_NOT_FOUND" not in (result.get("body") or "")


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
