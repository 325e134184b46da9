"""The ops tools run with the `ops` extra alone (`pip install .[ops]`): what deploys to AWS installs no
emulator and no test tool. Each command's module is imported, and `plan` run, in a process where every
installed module outside the ops extra's closure (its requirements, and theirs) cannot be imported."""

import json
import subprocess
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tasks_local.runtime.settings import REPO_ROOT

PROJECT = "tasks-platform"
OPS_COMMANDS = (
    "tasks_ops.__main__",
    "tasks_ops.build",
    "tasks_ops.terraform",
    "tasks_ops.traffic",
    "tasks_ops.smoke",
    "tasks_ops.reindex",
    "tasks_ops.cost.report",
)
_BLOCKED_RUN = """
import importlib.abc, json, runpy, sys
blocked = set(json.loads(sys.argv[1]))

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"{name} is not in the ops extra", name=name)
        return None

sys.meta_path.insert(0, Blocked())
if sys.argv[2] == "import":
    for module in sys.argv[3:]:
        __import__(module)
else:
    sys.argv = ["tasks_ops", *sys.argv[3:]]
    runpy.run_module("tasks_ops", run_name="__main__")
"""


def _closure(extra: str) -> set[str]:
    """The distributions `pip install .[extra]` installs on this machine: the project's requirements
    whose markers hold for `extra`, and theirs, recursively (with the extras each asks for)."""
    wanted, seen = [(PROJECT, frozenset({extra}))], set()
    while wanted:
        name, extras = wanted.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            applies = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": chosen}) for chosen in (extras or {""})
            )
            if applies:
                wanted.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return {name for name, _ in seen}


def _blocked_modules() -> set[str]:
    """Top-level modules of installed distributions outside the ops closure (the dev tools and the
    emulator: moto, pytest, flask, werkzeug...)."""
    allowed = _closure("ops") | {"pip", "setuptools", "wheel"}
    blocked = set()
    for module, distributions in metadata.packages_distributions().items():
        if not {canonicalize_name(d) for d in distributions} & allowed:
            blocked.add(module)
    return blocked - set(sys.stdlib_module_names)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _BLOCKED_RUN, json.dumps(sorted(_blocked_modules())), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_dev_toolchain_is_outside_the_ops_closure():
    blocked = _blocked_modules()
    assert {"moto", "pytest", "flask", "werkzeug", "ruff", "statelint"} <= blocked
    assert not {"boto3", "yaml", "hcl2", "requests", "jwt", "aws_lambda_powertools"} & blocked


def test_the_blocker_really_blocks():
    refused = _run("import", "moto")
    assert refused.returncode != 0
    assert "moto is not in the ops extra" in refused.stderr


@pytest.mark.parametrize("module", OPS_COMMANDS)
def test_each_ops_command_imports_nothing_outside_the_ops_extra(module):
    imported = _run("import", module)
    assert imported.returncode == 0, imported.stderr


def test_plan_with_the_ops_extra_alone_says_what_is_missing():
    """Not an import error: the CLI, the package, the providers or the credentials, named."""
    plan = _run("run", "terraform", "plan", "--env", "dev")
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert plan.stderr.startswith("error: ")
    assert "Traceback" not in plan.stderr
