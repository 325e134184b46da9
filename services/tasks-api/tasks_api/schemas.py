"""The API's JSON Schemas (schemas/*.json): compiled once per container, and the source of the OpenAPI."""

from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from tasks_api.schema_issues import details
from tasks_shared.domain.errors import ValidationFailed
from tasks_shared.schema_registry import compile_validator, read_folder, shared_documents


@cache
def documents() -> dict[str, dict[str, Any]]:
    """File name -> schema: the API's own (schemas/*.json) and the shared public task."""
    return {**shared_documents(), **read_folder(resources.files(__package__).joinpath("schemas"))}


@cache
def validator(name: str) -> Draft202012Validator:
    return compile_validator(documents()[name], documents())


def validate(name: str, document: Any, what: str = "request body") -> dict[str, Any]:
    """Validate against schemas/<name>; a 400 whose details name every offending field."""
    return validate_with(validator(name), document, what)


def validate_with(
    compiled: Draft202012Validator, document: Any, what: str = "request body"
) -> dict[str, Any]:
    """Validate with a compiled validator (the API's, or one of another revision's schemas, to compare)."""
    errors = sorted(compiled.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        body = what == "request body"
        root = "(body)" if body else f"({what})"
        raise ValidationFailed(f"the {what} does not match the contract", details(errors, root, body=body))
    return document
