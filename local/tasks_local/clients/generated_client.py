"""`make client`: the typed Python client REST callers generate from the API's OpenAPI document, made
with the generator the project pins (openapi-python-client, in the dev extra) and fixed settings, so
everyone gets the same package. A warning fails it: the generator skips what it cannot read (a schema, an
operation), warns and still writes a client, which then lacks what it skipped. The end-to-end test
generates its client here too, from the document a running stack serves.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tasks_api.handler import handle
from tasks_local.runtime.functions import LambdaContext
from tasks_local.runtime.settings import REPO_ROOT

DIST = REPO_ROOT / "dist"
DOCUMENT = DIST / "openapi.json"
PROJECT = "tasks-api-client"
PACKAGE = "tasks_api_client"
# GET /openapi.json as API Gateway forwards it to the function (a sample `make invoke` takes too).
_REQUEST = REPO_ROOT / "events" / "api" / "openapi.json"
_SETTINGS = {"project_name_override": PROJECT, "package_name_override": PACKAGE}


class GenerationFailed(Exception):
    """The generator warned or failed; the message is what it printed."""


def served_document() -> dict[str, Any]:
    """What GET /openapi.json answers, from the tasks-api handler itself (no stack needed)."""
    response = handle(json.loads(_REQUEST.read_text()), LambdaContext("tasks-api"))
    if response["statusCode"] != 200:
        raise GenerationFailed(f"GET /openapi.json answered {response['statusCode']}: {response['body']}")
    return json.loads(response["body"])


def write_document(path: Path = DOCUMENT) -> Path:
    """The served document as a file, for the generator and `make lint`'s Redocly check to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(served_document(), indent=2, ensure_ascii=False) + "\n")
    return path


def generate(document: Path, output: Path) -> Path:
    """The client project generated from `document` into `output` (replaced); its package is
    output/tasks_api_client. GenerationFailed, with the generator's words, on any warning or error."""
    tools = Path(sys.executable).parent  # the generator, and the ruff it formats its code with
    search_path = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    environment = {**os.environ, "PATH": search_path, "RUFF_NO_CACHE": "true"}
    shutil.rmtree(output, ignore_errors=True)
    with tempfile.TemporaryDirectory() as scratch:
        settings = Path(scratch) / "config.json"  # JSON is YAML, the generator's config format
        settings.write_text(json.dumps(_SETTINGS))
        command = [str(tools / "openapi-python-client"), "generate", "--path", str(document)]
        command += ["--output-path", str(output), "--config", str(settings), "--meta", "setup"]
        result = subprocess.run(
            [*command, "--fail-on-warning"], env=environment, capture_output=True, text=True, check=False
        )
    printed = f"{result.stdout}{result.stderr}".strip()
    if result.returncode != 0 or result.stderr.strip():
        raise GenerationFailed(f"openapi-python-client on {document}:\n{printed}")
    return output / PACKAGE


def main() -> int:
    """Write dist/openapi.json and generate dist/tasks-api-client from it."""
    document = write_document()
    try:
        package = generate(document, DIST / PROJECT)
    except GenerationFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    relative = package.parent.relative_to(REPO_ROOT)
    print(f"{document.relative_to(REPO_ROOT)}: the OpenAPI document GET /openapi.json serves")
    print(f"{relative}: the typed client ({PACKAGE}), generated with no warning")
    print(f"  install it where you call the API from: pip install ./{relative}")
    return 0
