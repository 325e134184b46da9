"""Function manifests (services/*/function.yml), the files Terraform reads too."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tasks_local.runtime.settings import REPO_ROOT

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


@dataclass(frozen=True)
class Manifest:
    name: str
    handler: str
    environment: dict[str, str]
    events: list[dict[str, Any]]
    iam: list[dict[str, Any]]
    folder: Path
    timeout_seconds: int = 10
    memory_mb: int = 512


def _fill(value: str, values: dict[str, Any]) -> str:
    """Replace ${a.b} as Terraform's templatefile does, from a nested dict of values."""

    def lookup(match: re.Match) -> str:
        node: Any = values
        for part in match.group(1).split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"no value for ${{{match.group(1)}}}")
            node = node[part]
        return str(node)

    return _PLACEHOLDER.sub(lookup, value)


def load(path: Path, values: dict[str, Any] | None = None) -> Manifest:
    data = yaml.safe_load(path.read_text())
    environment = {key: str(value) for key, value in (data.get("environment") or {}).items()}
    if values is not None:
        environment = {key: _fill(value, values) for key, value in environment.items()}
    return Manifest(
        name=data["name"],
        handler=data["handler"],
        environment=environment,
        events=data.get("events") or [],
        iam=data.get("iam") or [],
        folder=path.parent,
        timeout_seconds=int(data.get("timeout", 10)),
        memory_mb=int(data.get("memorySize", 512)),
    )


def manifest_paths() -> list[Path]:
    return sorted((REPO_ROOT / "services").glob("*/function.yml"))


def load_all(values: dict[str, Any] | None = None) -> dict[str, Manifest]:
    manifests = [load(path, values) for path in manifest_paths()]
    return {manifest.name: manifest for manifest in manifests}


def process_environment(manifests: Iterable[Manifest]) -> dict[str, str]:
    """The environment every function runs with locally: theirs merged, since they share one process.
    Each function names its own service in its observability module, so that variable is left out."""
    environment: dict[str, str] = {}
    for manifest in manifests:
        for key, value in manifest.environment.items():
            if key.startswith("POWERTOOLS_SERVICE_NAME"):
                continue
            if environment.setdefault(key, value) != value:
                raise ValueError(f"functions disagree on {key}; they share one local process")
    return environment
