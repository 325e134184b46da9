"""The API's JSON Schemas (schemas/*.json): compiled once per container, and the source of the OpenAPI."""

from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from tasks_shared.errors import ValidationFailed
from tasks_shared.schema_registry import compile_validator, read_folder, shared_documents

# Fields clients may never send; `status` too on creation, where every task starts pending.
SERVER_OWNED = frozenset(
    {"id", "ownerId", "status", "approval", "createdAt", "updatedAt", "completedAt", "version"}
)


@cache
def documents() -> dict[str, dict[str, Any]]:
    """File name -> schema: the API's own (schemas/*.json) and the shared public task."""
    return {**shared_documents(), **read_folder(resources.files(__package__).joinpath("schemas"))}


@cache
def validator(name: str) -> Draft202012Validator:
    return compile_validator(documents()[name], documents())


def _issues(error: Any) -> list[dict[str, str]]:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return [
            {
                "field": ".".join(filter(None, (path, name))),
                "issue": "is set by the server" if name in SERVER_OWNED else "is not allowed",
            }
            for name in extra
        ]
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [{"field": ".".join(filter(None, (path, name))), "issue": "is required"} for name in missing]
    return [{"field": path or "(body)", "issue": error.message}]


def validate(name: str, document: Any, what: str = "request body") -> dict[str, Any]:
    """Validate against schemas/<name>; a 400 whose details name every offending field."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        details = [issue for error in errors for issue in _issues(error)]
        raise ValidationFailed(f"the {what} does not match the contract", details)
    return document
