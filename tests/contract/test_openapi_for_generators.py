"""The OpenAPI document as client generators read it (issue 20): every `$ref` names a whole component,
every operation has the operationId and tag a generated client is organised by, and only what the
operations reach is a component. The generator itself runs on it in tests/e2e/test_generated_client.py
and `make client`; Redocly's recommended rules in `make lint`."""

import re

import pytest

from tasks_api.openapi import component_ref, openapi_document
from tasks_api.schemas import documents, validator

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# What generated clients name their functions after (create_task, list_tasks, ...): changing one breaks
# every caller's code, so they are pinned here.
OPERATION_IDS = {
    ("GET", "/health"): "getHealth",
    ("GET", "/openapi.json"): "getOpenApiDocument",
    ("POST", "/tasks"): "createTask",
    ("GET", "/tasks"): "listTasks",
    ("GET", "/tasks/{taskId}"): "getTask",
    ("PUT", "/tasks/{taskId}"): "updateTask",
    ("DELETE", "/tasks/{taskId}"): "deleteTask",
    ("GET", "/tasks/{taskId}/history"): "getTaskHistory",
    ("POST", "/tasks/{taskId}/approval"): "decideApproval",
    ("GET", "/approvals"): "listApprovals",
    ("GET", "/stats"): "getStats",
}
SHARED_FIELD_RULES = {
    "TaskTitle",
    "TaskDescription",
    "TaskStatus",
    "Priority",
    "UserId",
    "DueDate",
    "Tags",
    "Timestamp",
    "Approval",
    "ApprovalStatus",
    "Decision",
    "TextLine",
    "FreeText",
    "PageLimit",
    "PageToken",
}


def _operations() -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, item in openapi_document()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_operation_has_the_operation_id_its_generated_function_is_named_after():
    assert {key: operation["operationId"] for key, operation in _operations().items()} == OPERATION_IDS


def test_every_operation_has_one_tag_that_the_document_describes():
    described = {tag["name"]: tag["description"] for tag in openapi_document()["tags"]}
    assert all(description for description in described.values())
    assert {tag for operation in _operations().values() for tag in operation["tags"]} == set(described)
    assert all(len(operation["tags"]) == 1 for operation in _operations().values())


def test_every_reference_names_a_whole_component_that_exists():
    document = openapi_document()
    components = document["components"]["schemas"]
    for ref in _refs(document):
        match = re.fullmatch(r"#/components/schemas/([A-Za-z]+)", ref)
        assert match, f"{ref} points inside a component"
        assert match[1] in components, ref


def test_the_shared_field_rules_are_components_that_schemas_refer_to_whole():
    components = openapi_document()["components"]["schemas"]
    assert set(components) >= SHARED_FIELD_RULES
    assert components["Task"]["properties"]["status"] == {"$ref": "#/components/schemas/TaskStatus"}
    assert components["TaskCreate"]["properties"]["priority"] == {"$ref": "#/components/schemas/Priority"}


def test_request_and_response_bodies_are_named_components():
    for operation in _operations().values():
        contents = [operation.get("requestBody", {}).get("content", {})]
        contents += [response.get("content", {}) for response in operation["responses"].values()]
        for content in contents:
            for media in content.values():
                assert set(media["schema"]) == {"$ref"}


def test_the_query_strings_are_parameters_and_no_component():
    components = openapi_document()["components"]["schemas"]
    for file_name, key in [
        ("list-query.json", ("GET", "/tasks")),
        ("history-query.json", ("GET", "/tasks/{taskId}/history")),
        ("approvals-query.json", ("GET", "/approvals")),
    ]:
        query = documents()[file_name]
        parameters = {p["name"] for p in _operations()[key]["parameters"] if p["in"] == "query"}
        assert parameters == set(query["properties"])
        assert query["title"] not in components
    assert not {"NoQuery", "TextRules", "Paging"} & set(components)


def test_every_component_is_reached_from_an_operation():
    document = openapi_document()
    components = document["components"]["schemas"]
    reached, pending = set(), set(_refs(document["paths"]))
    while pending:
        name = pending.pop().rsplit("/", 1)[1]
        reached.add(name)
        pending |= {ref for ref in _refs(components[name]) if ref.rsplit("/", 1)[1] not in reached}
    assert reached == set(components)


def test_the_decision_names_the_version_it_decides_with_a_required_if_match():
    operation = _operations()["POST", "/tasks/{taskId}/approval"]
    (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert (if_match["in"], if_match["required"]) == ("header", True)
    assert {"412", "428"} <= set(operation["responses"])


def test_the_document_says_its_license():
    assert openapi_document()["info"]["license"] == {"name": "Apache 2.0", "identifier": "Apache-2.0"}


def test_the_served_document_fits_the_schema_it_documents_for_itself():
    validator("openapi-document.json").validate(openapi_document())


@pytest.mark.parametrize(
    "ref", ["task.json#/properties/title", "#/properties/status", "text.json#/$defs/TextLine/allOf/0"]
)
def test_a_reference_into_a_schema_is_refused_when_the_document_is_assembled(ref):
    """So no schema file can bring back the pointers generators cannot follow."""
    with pytest.raises(ValueError, match="points inside a schema"):
        component_ref(ref, "task-create.json")
