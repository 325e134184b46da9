"""JSON Schemas shared across the platform: the public task (schemas/task.json) that the API returns
and every event carries. Other schema sets (the API's, the event catalog) refer to it as "task.json"."""

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def read_folder(folder: Path | Any) -> dict[str, dict[str, Any]]:
    """File name -> schema for every *.json in a folder (a path or an importlib resource)."""
    return {
        entry.name: json.loads(entry.read_text())
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


@cache
def shared_documents() -> dict[str, dict[str, Any]]:
    return read_folder(resources.files(__package__).joinpath("schemas"))


def compile_validator(
    schema: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]
) -> Draft202012Validator:
    """A validator compiled once, resolving "$ref": "<file>.json" against `documents` and the shared ones.

    Checking the schema on every call (jsonschema.validate) costs ~40x more than a compiled validator.
    """
    registry = Registry().with_resources(
        (name, Resource.from_contents(document))
        for name, document in {**shared_documents(), **documents}.items()
    )
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
