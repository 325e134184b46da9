"""JSON Schemas shared across the platform: the public task (schemas/task.json) that the API returns
and every event carries. Other schema sets (the API's, the event catalog) refer to it as "task.json"."""

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

# The formats our schemas use, and only those: `date` (checked by jsonschema itself) and `date-time`
# (by rfc3339-validator, a runtime dependency). Draft 2020-12's own checker holds every format with a
# library that happens to be installed (idna, jsonpointer, ...), so what a schema accepted depended on
# the environment. A format named here without its checker (rfc3339-validator missing) is a KeyError
# at import rather than `date-time` silently unchecked; tests/contract/test_event_catalog.py holds this
# list to the formats the schemas use.
FORMATS = ("date", "date-time")
FORMAT_CHECKER = FormatChecker(formats=FORMATS)


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
    return Draft202012Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)
