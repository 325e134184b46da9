"""The event catalog (events/catalog/*.json): one JSON Schema per detail-type, compiled once.

Producers and consumers validate against the same files. They ship inside this package as package data
(`event_catalog/`, a link to events/catalog, the one source, that packaging copies), and are read with
importlib.resources, so the shared code validates wherever it is installed.
"""

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft202012Validator

from tasks_shared.schema_registry import compile_validator, read_folder

SOURCE = "tasks.service"
SCHEMA_VERSION = "1.0"
DETAIL_TYPES = ("TaskCreated", "TaskUpdated", "TaskCompleted", "TaskDeleted")


def catalog_dir() -> Traversable:
    return resources.files(__package__).joinpath("event_catalog")


@cache
def documents() -> dict[str, dict[str, Any]]:
    return read_folder(catalog_dir())


@cache
def validator(detail_type: str) -> Draft202012Validator:
    """The compiled validator of a detail-type's detail; KeyError for a detail-type not in the catalog."""
    return compile_validator(documents()[f"{detail_type}.json"], documents())


def problems(detail_type: str, detail: Any) -> list[str]:
    """Why a detail breaks its schema (empty when it is valid), one readable line per problem."""
    if detail_type not in DETAIL_TYPES:
        return [f"unknown detail-type {detail_type!r}"]
    return problems_with(validator(detail_type), detail)


def problems_with(compiled: Draft202012Validator, detail: Any) -> list[str]:
    """Why a detail breaks a compiled schema (the catalog's, or another revision's, to compare)."""
    return [
        f"{'.'.join(str(part) for part in error.absolute_path) or '(detail)'}: {error.message}"
        for error in compiled.iter_errors(detail)
    ]
