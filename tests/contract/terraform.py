"""Reading infra/ in tests: the HCL as python-hcl2 parses it, and the definitions module as Terraform
itself evaluates it (`terraform console`: the module has no provider, so nothing is downloaded)."""

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

from tasks_local.runtime.settings import REPO_ROOT

INFRA = REPO_ROOT / "infra"
MODULES = INFRA / "modules"
TERRAFORM = shutil.which("terraform")
_REFERENCE = re.compile(r"^([^/]+(?:/[^/]+)?)(.*)$")


# python-hcl2 >= 8 keeps quotes and comments by default; this is its backwards-compatible shape.
_PLAIN = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


@cache
def parsed(path: Path) -> dict[str, Any]:
    return hcl2.loads(path.read_text(), serialization_options=_PLAIN)


def blocks(module: str, kind: str, type_name: str | None = None) -> dict[str, dict[str, Any]]:
    """`resource`/`data`/`module`/... blocks of a module by name (`type.name` for resources and data)."""
    found = {}
    for path in sorted((MODULES / module).glob("*.tf")):
        for block in parsed(path).get(kind, []):
            for first, body in block.items():
                if kind in ("resource", "data"):
                    found |= {
                        f"{first}.{name}": value
                        for name, value in body.items()
                        if first == (type_name or first)
                    }
                else:
                    found[first] = body
    return found


def fake_arn(reference: str) -> str:
    """The ARN the tests give a manifest resource reference (`queue/x` -> `arn:test:queue/x`)."""
    return f"arn:test:{_REFERENCE.match(reference)[1]}"


def evaluate_definitions(work: Path, inputs: dict[str, Any]) -> dict[str, Any]:
    """Every output of infra/modules/definitions for these inputs, evaluated by Terraform."""
    (work / "inputs.json").write_text(json.dumps(inputs))
    source = os.path.relpath(MODULES / "definitions", work)
    arguments = "\n".join(f"  {name} = local.inputs.{name}" for name in inputs)
    (work / "main.tf").write_text(
        f'locals {{\n  inputs = jsondecode(file("inputs.json"))\n}}\n\n'
        f'module "definitions" {{\n  source = "{source}"\n{arguments}\n}}\n'
    )
    return _console(work, "module.definitions")


def evaluate(work: Path, locals_hcl: str, expression: str) -> Any:
    """One expression of ours, as Terraform evaluates it, beside `locals_hcl` (a root with no provider)."""
    (work / "main.tf").write_text(f"locals {{\n{locals_hcl}\n}}\n")
    return _console(work, expression)


def _console(work: Path, expression: str) -> Any:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    for command, stdin in (
        (["init", "-input=false", "-no-color"], None),
        (["console", "-no-color"], f"jsonencode({expression})\n"),
    ):
        run = subprocess.run(
            [TERRAFORM, *command], cwd=work, input=stdin, capture_output=True, text=True, check=False, env=env
        )
        if run.returncode != 0:
            raise AssertionError(f"terraform {command[0]} failed:\n{run.stderr}")
    return json.loads(json.loads(run.stdout))
