"""`make client`'s generation (tasks_local.clients.generated_client) without a stack: the document it
starts from is the one the API serves, and any generator warning fails it rather than leaving a client
that lacks what the generator skipped. The client itself is used against `make dev` in
tests/e2e/test_generated_client.py."""

import json

import pytest

from tasks_api.openapi import openapi_document
from tasks_local.clients.generated_client import GenerationFailed, generate, served_document, write_document


def test_the_document_is_the_one_get_openapi_json_serves(tmp_path):
    written = write_document(tmp_path / "openapi.json")
    assert json.loads(written.read_text()) == served_document() == openapi_document()


def test_a_document_the_generator_warns_about_fails_the_generation(tmp_path):
    # Given the document with a pointer into another schema's properties (issue 20's cause)
    document = served_document()
    document["components"]["schemas"]["TaskCreate"]["properties"]["title"] = {
        "$ref": "#/components/schemas/Task/properties/title"
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))

    # When the client is generated from it, Then it fails with the generator's own warning
    with pytest.raises(GenerationFailed, match="Endpoint will not be generated"):
        generate(path, tmp_path / "client")


def test_the_served_document_generates_a_package_with_every_operation(tmp_path):
    package = generate(write_document(tmp_path / "openapi.json"), tmp_path / "client")
    modules = {path.stem for path in (package / "api").glob("*/*.py")} - {"__init__"}
    assert len(modules) == sum(len(item) for item in openapi_document()["paths"].values())
