"""A failed JSON Schema check in the contract's words: each detail names a field and what it must be.

The wording is built from the rule that failed (its keyword and value, the instance's path), never from
jsonschema's message, which quotes Python values (None, inf, 'x') that mean nothing to a client.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema import ValidationError

# Fields clients may never send; `status` too on creation, where every task starts pending.
SERVER_OWNED = frozenset(
    {"id", "ownerId", "status", "approval", "createdAt", "updatedAt", "completedAt", "version"}
)
# A schema's own wording of the one rule it holds (schemas/text.json); JSON Schema ignores the keyword.
ISSUE_KEYWORD = "x-issue"
_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
    "null": "null",
}
_FORMATS = {"date": "a date as YYYY-MM-DD", "date-time": "a date and time as in RFC 3339"}


def _plain(value: Any) -> str:
    """A schema value as a client would write it: text as is, anything else as JSON (never a repr)."""
    return value if isinstance(value, str) else json.dumps(value)


def _listed(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _must_be_types(types: Iterable[str]) -> str:
    return "must be " + " or ".join(_TYPES.get(kind, kind) for kind in dict.fromkeys(types))


_WORDING: dict[str, Callable[[Any], str]] = {
    "type": lambda value: _must_be_types(_listed(value)),
    "enum": lambda value: "must be one of " + ", ".join(_plain(option) for option in value),
    "const": lambda value: f"must be {_plain(value)}",
    "minLength": lambda n: "must not be empty" if n == 1 else f"must be at least {n} characters long",
    "maxLength": lambda n: f"must be at most {n} characters long",
    "minItems": lambda n: f"must have at least {n} items",
    "maxItems": lambda n: f"must have at most {n} items",
    "uniqueItems": lambda _: "must not repeat an item",
    "minProperties": lambda n: "must have at least one field" if n == 1 else f"must have at least {n} fields",
    "minimum": lambda n: f"must be at least {_plain(n)}",
    "maximum": lambda n: f"must be at most {_plain(n)}",
    "exclusiveMinimum": lambda n: f"must be more than {_plain(n)}",
    "exclusiveMaximum": lambda n: f"must be less than {_plain(n)}",
    "format": lambda name: f"must be {_FORMATS.get(name, f'a valid {name}')}",
    "pattern": lambda pattern: f"must match the pattern {pattern}",
}


def details(errors: Iterable[ValidationError], root: str, *, body: bool) -> list[dict[str, str]]:
    """One {field, issue} per offending field: the first rule it breaks (an empty title is not also
    reported blank), unless a list of allowed values says more than its type does. `root` names the
    document itself, e.g. "(body)"."""
    chosen: dict[str, tuple[bool, str]] = {}
    for error in errors:
        listed = error.validator in ("enum", "const")
        for field, issue in _issues(error, root, body):
            if field not in chosen or (listed and not chosen[field][0]):
                chosen[field] = (listed, issue)
    return [{"field": field, "issue": issue} for field, (_, issue) in chosen.items()]


def _issues(error: ValidationError, root: str, body: bool) -> list[tuple[str, str]]:
    path = _path(error)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return [(_join(path, name), _not_allowed(name, body)) for name in extra]
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [(_join(path, name), "is required") for name in missing]
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _alternatives(error, root, body)
    return [(path or root, _issue(error))]


def _alternatives(error: ValidationError, root: str, body: bool) -> list[tuple[str, str]]:
    """A value that fits none of several forms: what the forms of its type require, or the types allowed."""
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)

    def wrong_type(sub: ValidationError) -> bool:
        return sub.validator == "type" and sub.absolute_path == error.absolute_path

    fitting = [subs for subs in branches.values() if not any(wrong_type(sub) for sub in subs)]
    if fitting:
        return [issue for subs in fitting for sub in subs for issue in _issues(sub, root, body)]
    types = [kind for sub in error.context if wrong_type(sub) for kind in _listed(sub.validator_value)]
    return [(_path(error) or root, _must_be_types(types))]


def _issue(error: ValidationError) -> str:
    if isinstance(error.schema, dict) and ISSUE_KEYWORD in error.schema:
        return error.schema[ISSUE_KEYWORD]
    if error.validator is None:  # a `false` schema
        return "is not allowed"
    wording = _WORDING.get(str(error.validator))
    return wording(error.validator_value) if wording else f"breaks the contract's '{error.validator}' rule"


def _not_allowed(name: str, body: bool) -> str:
    return "is set by the server" if body and name in SERVER_OWNED else "is not allowed"


def _path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path)


def _join(path: str, name: str) -> str:
    return ".".join(filter(None, (path, name)))
