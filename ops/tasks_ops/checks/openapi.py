"""`make lint`'s check of the API's OpenAPI document with Redocly's recommended rules (recommended-strict
in ops/redocly/redocly.yaml: each warning fails), by the Redocly CLI that ops/redocly/package-lock.json
pins, installed from the npm registry into .venv/redocly by `npm ci` (which checks the lock's integrity).

Node.js is not a requirement of the project: where node or npm is missing, or too old for the pinned CLI,
the check says so and passes, unless OPENAPI_LINT=required (.ci/run sets it: CI always runs the check).
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tasks_local.runtime.settings import REPO_ROOT

TOOL = REPO_ROOT / "ops" / "redocly"
INSTALL = REPO_ROOT / ".venv" / "redocly"
REQUIRED = "OPENAPI_LINT"
_PACKAGE = "@redocly/cli"
_FILES = ("package.json", "package-lock.json")
# Redocly CLI sends usage data and looks for a newer release unless told not to; a lint does neither.
_QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


class Unavailable(Exception):
    """No Node.js here that can run the pinned Redocly CLI."""


class InstallFailed(Exception):
    """npm could not install the pinned CLI (the registry unreachable, a lock that does not verify)."""


def _pinned() -> dict:
    return json.loads((TOOL / "package-lock.json").read_text())["packages"][f"node_modules/{_PACKAGE}"]


def pinned_version() -> str:
    return _pinned()["version"]


def _needs() -> str:
    """What the pinned CLI says it runs on (its `engines`), for a reader whose Node cannot run it."""
    return " and ".join(f"{tool} {spec}" for tool, spec in _pinned()["engines"].items())


def _digest() -> str:
    return hashlib.sha256(b"".join((TOOL / name).read_bytes() for name in _FILES)).hexdigest()


def install() -> Path:
    """The pinned CLI in .venv/redocly, installed again whenever ops/redocly's package files change; one
    installer at a time (two `make lint`, or test workers, would delete each other's install)."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise Unavailable(f"{' and '.join(missing)} not on PATH")
    INSTALL.parent.mkdir(parents=True, exist_ok=True)
    with open(INSTALL.parent / "redocly.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install()


def _install() -> Path:
    cli = INSTALL / "node_modules" / ".bin" / "redocly"
    stamp = INSTALL / ".installed"
    if cli.exists() and stamp.is_file() and stamp.read_text() == _digest():
        return cli
    shutil.rmtree(INSTALL, ignore_errors=True)
    INSTALL.mkdir(parents=True)
    for name in _FILES:
        shutil.copyfile(TOOL / name, INSTALL / name)
    command = ["npm", "ci", "--engine-strict", "--ignore-scripts", "--no-audit", "--no-fund"]
    result = subprocess.run(command, cwd=INSTALL, capture_output=True, text=True, check=False)
    printed = f"{result.stdout}{result.stderr}".strip()
    if result.returncode != 0:
        if "EBADENGINE" in printed:
            node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
            raise Unavailable(f"Node.js {node.stdout.strip()} is too old for {_PACKAGE} {pinned_version()}")
        raise InstallFailed(f"npm ci of {_PACKAGE} {pinned_version()} failed:\n{printed}")
    stamp.write_text(_digest())
    return cli


def lint(cli: Path, document: Path) -> tuple[bool, str]:
    command = [str(cli), "lint", str(document), "--config", str(TOOL / "redocly.yaml")]
    environment = {**os.environ, **_QUIET}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return False, f"redocly lint found problems in {document}:\n{result.stdout}{result.stderr}".strip()
    return True, f"redocly lint ({_PACKAGE} {pinned_version()}, recommended-strict): {document.name} is clean"


def main(document: str) -> int:
    required = os.environ.get(REQUIRED) == "required"
    try:
        cli = install()
    except Unavailable as exc:
        if required:
            print(f"redocly lint: cannot run ({REQUIRED}=required): {exc}", file=sys.stderr)
            return 1
        print(f"redocly lint: skipped, {exc} ({_PACKAGE} {pinned_version()} needs {_needs()}; CI runs it)")
        return 0
    except InstallFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    passed, line = lint(cli, Path(document))
    print(line, file=sys.stdout if passed else sys.stderr)
    return 0 if passed else 1
