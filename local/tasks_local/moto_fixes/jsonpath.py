"""moto's JSONPaths, each parsed once instead of at every use.

Why, measured on moto 5.2.5 with jsonpath-ng 1.16.0: moto parses a JSONPath again every time it
uses one. EventBridge parses 8 for each target it delivers an event to (its default input template,
for a target with no InputTransformer too); Step Functions parses the paths of every state it runs.
Each parse builds jsonpath-ng's PLY parser anew, about 1 ms, so under `make seed` 13% of `make dev`'s
CPU went to it (py-spy, GIL samples). A parsed path is not changed by the find or update it serves,
so each one is kept (an LRU of 1,024 paths; the stack uses a few dozen). Answers are moto's.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonpath_ng
import jsonpath_ng.ext
from moto.events.utils import EventTemplateParser
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.utils import json_path

from tasks_local.moto_fixes.patches import MotoPatches, Replacement

MOTO_VERSION = "5.2.5"
PATHS_KEPT = 1024

# What this module assumes of moto, checked against the source recorded in tests/local/test_moto_pin.py.
RELIED_ON: dict[str, tuple[Any, str]] = {
    "EventTemplateParser.parse": (
        EventTemplateParser.parse,
        "imports `parse` from jsonpath_ng.ext at each call, and only calls find() on what it returns",
    ),
    "json_path.extract_json": (
        json_path.extract_json,
        "calls its module's `parse` (jsonpath_ng.ext's), and only find() on what it returns",
    ),
    "ResultPath._eval_body": (
        result_path.ResultPath._eval_body,
        "calls its module's `parse` (jsonpath_ng's), then update_or_create(), which changes the data only",
    ),
}

_parse_extended = functools.lru_cache(maxsize=PATHS_KEPT)(jsonpath_ng.ext.parse)
_parse = functools.lru_cache(maxsize=PATHS_KEPT)(jsonpath_ng.parse)


def _replacements() -> list[Replacement]:
    return [
        (jsonpath_ng.ext, "parse", _parse_extended),
        (json_path, "parse", _parse_extended),
        (result_path, "parse", _parse),
    ]


# Installed by embedded_aws.patch_moto (the runtime); `PATCHES.installed(False)` compares with moto as it is.
PATCHES = MotoPatches(__name__, MOTO_VERSION, _replacements)
