"""The event catalog (events/catalog/*.json): one JSON Schema per detail-type, compiled once.

Producers and consumers validate against the same files. In a deployment package the catalog is
shipped beside the shared code and EVENT_CATALOG_DIR points at it; in the repo it is events/catalog.
"""

import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from tasks_shared.schema_registry import compile_validator, read_folder

SOURCE = "tasks.service"
SCHEMA_VERSION = "1.0"
DETAIL_TYPES = ("TaskCreated", "TaskUpdated", "TaskCompleted", "TaskDeleted")


def catalog_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "events" / "catalog"
    return Path(os.environ.get("EVENT_CATALOG_DIR", default))


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
    return [
        f"{'.'.join(str(part) for part in error.absolute_path) or '(detail)'}: {error.message}"
        for error in validator(detail_type).iter_errors(detail)
    ]
