"""Reading a function's configuration: once, at cold start, from the environment, failing loudly.

Each function declares its settings as a frozen dataclass in its own `config` module and reads them
with `from_env`: a field `activity_table` comes from ACTIVITY_TABLE. Domain code never reads os.environ.
"""

import dataclasses
import os
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

S = TypeVar("S")
_CONVERT: dict[Any, Any] = {str: str, int: int, bytes: str.encode}


def read_env(*names: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of `names`; one error names every missing or empty one."""
    env = os.environ if environ is None else environ
    missing = [name for name in names if not env.get(name)]
    if missing:
        raise RuntimeError(f"missing configuration: {', '.join(missing)}")
    return {name: env[name] for name in names}


def from_env(settings: type[S], environ: Mapping[str, str] | None = None) -> S:
    """A settings dataclass from the environment variables named after its fields (upper case)."""
    types = typing.get_type_hints(settings)
    fields = [field.name for field in dataclasses.fields(settings)]  # type: ignore[arg-type]
    env = read_env(*(name.upper() for name in fields), environ=environ)
    values = {}
    for name in fields:
        raw = env[name.upper()]
        try:
            values[name] = _CONVERT[types[name]](raw)
        except ValueError as exc:
            raise RuntimeError(f"{name.upper()} must be {types[name].__name__}, got {raw!r}") from exc
    return settings(**values)
