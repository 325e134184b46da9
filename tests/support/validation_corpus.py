"""What the validators answer to a corpus of documents, under the JSON Schemas of any commit.

tests/contract/validation-verdicts.json holds request bodies and query strings (every one the unit,
integration, contract and local tests sent, plus a corpus of invalid ones) and event details (the samples
and broken ones), each with the verdict given under the schemas of the commit it names: accepted, the
400's message and details, or the catalog's problems. tests/contract/test_validation_verdicts.py holds
today's schemas to those verdicts, so a change to the schemas' shape that must not change what is
accepted, or what a refusal says, is proven not to.

    python -m tests.support.validation_corpus compare <commit>   # the corpus under <commit> and now
    python -m tests.support.validation_corpus record <commit>    # re-record the verdicts from <commit>

Record again only for a change that means to change verdicts, and say which in its commit.
"""

import argparse
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from tasks_api import schemas as api_schemas
from tasks_local.runtime.settings import REPO_ROOT
from tasks_shared import catalog
from tasks_shared.domain.errors import ValidationFailed
from tasks_shared.schema_registry import compile_validator

VERDICTS = REPO_ROOT / "tests" / "contract" / "validation-verdicts.json"
# Where each set of schemas lives; a set's files refer to each other by file name.
API_FOLDERS = ("shared/tasks_shared/schemas", "services/tasks-api/tasks_api/schemas")
CATALOG_FOLDERS = ("shared/tasks_shared/schemas", "events/catalog")
EVENT_DETAIL = "event detail"

Schemas = Mapping[str, Mapping[str, Any]]


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout


def schemas_at(commit: str, folders: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """File name -> schema, as the folders held them at `commit`."""
    paths = _git("ls-tree", "--name-only", commit, *(f"{folder}/" for folder in folders)).split()
    return {
        Path(path).name: json.loads(_git("show", f"{commit}:{path}"))
        for path in paths
        if path.endswith(".json")
    }


class Verdicts:
    """The verdicts of one revision's schemas: the API's (request bodies, query strings) and the event
    catalog's (event details), each compiled once."""

    def __init__(self, api: Schemas, events: Schemas) -> None:
        self._schemas = {"api": api, "events": events}
        self._compiled: dict[tuple[str, str], Draft202012Validator] = {}

    @classmethod
    def now(cls) -> "Verdicts":
        """As the code loads the schemas today."""
        return cls(api_schemas.documents(), catalog.documents())

    @classmethod
    def at(cls, commit: str) -> "Verdicts":
        """As the schema files were at `commit`."""
        return cls(schemas_at(commit, API_FOLDERS), schemas_at(commit, CATALOG_FOLDERS))

    def of(self, case: Mapping[str, Any]) -> Any:
        """None when the document is accepted; else the 400's message and details, or the catalog's
        problems."""
        if case["what"] == EVENT_DETAIL:
            return catalog.problems_with(self._validator("events", case["schema"]), case["document"]) or None
        try:
            api_schemas.validate_with(self._validator("api", case["schema"]), case["document"], case["what"])
        except ValidationFailed as refused:
            return {"message": refused.message, "details": refused.details}
        return None

    def _validator(self, kind: str, name: str) -> Draft202012Validator:
        if (kind, name) not in self._compiled:
            schemas = self._schemas[kind]
            self._compiled[kind, name] = compile_validator(schemas[name], schemas)
        return self._compiled[kind, name]


def recorded() -> dict[str, Any]:
    return json.loads(VERDICTS.read_text())


def differences(verdicts: Verdicts, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case whose verdict is not the recorded one, with both verdicts."""
    return [{**case, "now": now} for case in cases if (now := verdicts.of(case)) != case["verdict"]]


def compare(commit: str) -> int:
    """Run every case under the schemas of `commit` and under today's; print what differs."""
    cases = recorded()["cases"]
    verdicts = Verdicts.at(commit)
    then = [{**case, "verdict": verdicts.of(case)} for case in cases]
    changed = differences(Verdicts.now(), then)
    refused = sum(case["verdict"] is not None for case in then)
    print(f"{len(cases)} documents ({refused} refused at {commit}): {len(changed)} verdicts differ now")
    for case in changed:
        print(json.dumps(case, ensure_ascii=False))
    return 1 if changed else 0


def record(commit: str) -> int:
    """Re-record every case's verdict from the schemas of `commit`."""
    document = recorded()
    document["schemasAt"] = _git("rev-parse", commit).strip()
    verdicts = Verdicts.at(commit)
    document["cases"] = [
        {key: case[key] for key in ("schema", "what", "document")} | {"verdict": verdicts.of(case)}
        for case in document["cases"]
    ]
    # One case a line, keys as the documents had them: an event problem quotes the object as ordered.
    lines = ",\n".join(json.dumps(case) for case in document["cases"])
    header = json.dumps({key: value for key, value in document.items() if key != "cases"}, indent=2)
    VERDICTS.write_text(header.removesuffix("\n}") + ',\n  "cases": [\n' + lines + "\n  ]\n}\n")
    print(f"recorded {len(document['cases'])} verdicts from {document['schemasAt']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.validation_corpus", description=__doc__)
    parser.add_argument("action", choices=["compare", "record"])
    parser.add_argument("commit", help="a commit whose schemas give the verdicts (e.g. HEAD~1)")
    args = parser.parse_args(argv)
    return {"compare": compare, "record": record}[args.action](args.commit)


if __name__ == "__main__":
    sys.exit(main())
