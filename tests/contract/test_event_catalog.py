"""The event catalog (events/catalog) and the sample events (events/samples) agree with each other.

Producers, consumers, `make invoke` and `make publish` all use these samples, so a sample that drifts
from its schema would hide a broken contract instead of revealing one.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from tasks_api import schemas as api_schemas
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.settings import REPO_ROOT
from tasks_shared import catalog
from tasks_shared.schema_registry import FORMAT_CHECKER, FORMATS, shared_documents
from tests.support.samples import EVENTS_DIR, load_event

CATALOG_DIR = REPO_ROOT / "events" / "catalog"  # the one source; the shared package ships it
CATALOG_FILES = sorted(CATALOG_DIR.glob("*.json"))
EVENTBRIDGE_SAMPLES = sorted(path.stem for path in (EVENTS_DIR / "samples" / "eventbridge").glob("*.json"))
VALID_SAMPLES = [name for name in EVENTBRIDGE_SAMPLES if not name.startswith("invalid-")]
SQS_SAMPLES = sorted(path.stem for path in (EVENTS_DIR / "samples" / "sqs").glob("*.json"))

# What EventBridge hands to a target (SQS body, Lambda event): exactly these top-level fields.
ENVELOPE_FIELDS = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}


def eventbridge_sample(name: str) -> dict[str, Any]:
    return load_event(f"samples/eventbridge/{name}")


def sqs_record(queue: str) -> dict[str, Any]:
    (record,) = load_event(f"samples/sqs/{queue}")["Records"]
    return record


@pytest.mark.parametrize("path", CATALOG_FILES, ids=lambda path: path.name)
def test_every_catalog_schema_is_a_valid_draft_2020_12_schema(path: Path):
    # Given a schema of the catalog
    schema = json.loads(path.read_text())

    # When it is checked against the Draft 2020-12 meta-schema, Then it declares that draft and passes
    assert validator_for(schema) is Draft202012Validator
    Draft202012Validator.check_schema(schema)


def test_the_catalog_describes_exactly_the_detail_types_we_publish():
    # Given the catalog's files, the envelope schema aside
    described = {path.stem for path in CATALOG_FILES} - {"metadata"}

    # Then they are the detail-types the platform publishes, no more, no fewer
    assert described == set(catalog.DETAIL_TYPES)


@pytest.mark.parametrize("name", EVENTBRIDGE_SAMPLES)
def test_every_eventbridge_sample_has_the_envelope_eventbridge_delivers(name: str):
    # Given a sample as EventBridge delivers it to a target
    event = eventbridge_sample(name)

    # Then it has exactly the fields of that envelope
    assert set(event) == ENVELOPE_FIELDS


@pytest.mark.parametrize("name", EVENTBRIDGE_SAMPLES)
def test_only_the_external_samples_come_from_another_source(name: str):
    # Given a sample
    event = eventbridge_sample(name)

    # Then it carries our source unless it stands for another publisher
    assert (event["source"] == catalog.SOURCE) is not name.startswith("external-")


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_every_valid_sample_satisfies_the_schema_of_its_detail_type(name: str):
    # Given a sample meant to be valid
    event = eventbridge_sample(name)

    # When its detail is validated against its detail-type's schema
    found = catalog.problems(event["detail-type"], event["detail"])

    # Then nothing is wrong with it
    assert found == []


def test_the_invalid_sample_is_rejected_with_a_readable_problem_per_missing_field():
    # Given the sample that demonstrates the dead-letter path
    event = eventbridge_sample("invalid-TaskCreated")

    # When its detail is validated
    found = catalog.problems(event["detail-type"], event["detail"])

    # Then each problem names the field that is missing and where
    assert set(found) == {
        "metadata: 'correlationId' is a required property",
        "metadata: 'schemaVersion' is a required property",
        "task: 'description' is a required property",
        "task: 'status' is a required property",
        "task: 'tags' is a required property",
        "task: 'ownerId' is a required property",
        "task: 'approval' is a required property",
        "task: 'createdAt' is a required property",
        "task: 'updatedAt' is a required property",
        "task: 'version' is a required property",
    }


def test_every_consumer_queue_has_an_sqs_sample():
    # Given the queues the functions consume, from their manifests
    consumed = {
        event["sqs"]["queue"]
        for manifest in load_all().values()
        for event in manifest.events
        if "sqs" in event
    }

    # Then there is one sample Lambda SQS event per queue
    assert set(SQS_SAMPLES) == consumed


@pytest.mark.parametrize("queue", SQS_SAMPLES)
def test_every_sqs_sample_carries_an_eventbridge_sample_verbatim(queue: str):
    # Given the message a consumer receives from its queue
    body = json.loads(sqs_record(queue)["body"])

    # Then its body is the EventBridge sample of its detail-type, unchanged
    assert body == eventbridge_sample(body["detail-type"])


@pytest.mark.parametrize("queue", SQS_SAMPLES)
def test_every_sqs_sample_has_the_md5_of_its_body(queue: str):
    # Given the message a consumer receives from its queue
    record = sqs_record(queue)

    # Then md5OfBody is what SQS computes for that body
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324


@pytest.mark.parametrize("queue", SQS_SAMPLES)
def test_every_sqs_sample_comes_from_the_queue_it_is_named_after(queue: str):
    # Given the message a consumer receives from its queue
    record = sqs_record(queue)

    # Then it was sent from that queue of the local stack
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(f":local-tasks-{queue}")


# jsonschema checks these formats only when the named library is importable (the others it checks
# itself): jsonschema.FormatChecker's table, for the formats our schemas use.
FORMAT_LIBRARIES = {"date-time": "rfc3339-validator"}


def _formats(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        return found.union(*(_formats(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats(value) for value in node))
    return set()


def test_every_format_the_schemas_use_is_enforced_where_they_are_deployed():
    """A missing checker library makes jsonschema skip its format silently; dev tools happen to install
    one, so only the runtime dependencies tell whether a deployed consumer enforces it."""
    sets = (catalog.documents(), shared_documents(), api_schemas.documents())
    used = _formats([document for documents in sets for document in documents.values()])
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = {
        re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]
    }
    assert used == set(FORMATS) == set(FORMAT_CHECKER.checkers)
    assert {FORMAT_LIBRARIES[name] for name in used if name in FORMAT_LIBRARIES} <= runtime


def test_a_timestamp_that_is_not_one_is_a_catalog_problem():
    event = eventbridge_sample("TaskCompleted")
    event["detail"]["task"]["completedAt"] = "yesterday"
    assert catalog.problems("TaskCompleted", event["detail"]) == [
        "task.completedAt: 'yesterday' is not a 'date-time'"
    ]


def test_the_shared_package_ships_the_events_catalog_itself():
    packaged = catalog.catalog_dir()

    assert (REPO_ROOT / "shared" / "tasks_shared" / "event_catalog").resolve() == CATALOG_DIR
    assert sorted(entry.name for entry in packaged.iterdir()) == [path.name for path in CATALOG_FILES]


def test_a_copy_of_the_shared_package_outside_the_repository_validates_a_task_created_event(tmp_path):
    """As a Lambda layer holds it: the package alone, its links copied as files, no repository around."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO_ROOT / "shared" / "tasks_shared", site / "tasks_shared", symlinks=False)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(load_event("samples/eventbridge/TaskCreated")))
    libraries = next(Path(path) for path in sys.path if path.endswith("site-packages"))
    script = (
        "import json, sys, tasks_shared\n"
        "from tasks_shared import catalog\n"
        "print(tasks_shared.__file__)\n"
        "event = json.loads(open(sys.argv[1]).read())\n"
        "print(catalog.problems(event['detail-type'], event['detail']))\n"
        "event['detail']['task'].pop('title')\n"
        "print(catalog.problems(event['detail-type'], event['detail']))\n"
    )

    # -S: no site-packages processing, so no editable install can put the repository back on the path
    result = subprocess.run(
        [sys.executable, "-S", "-c", script, str(event)],
        env={"PYTHONPATH": f"{site}{os.pathsep}{libraries}"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    location, valid, invalid = result.stdout.splitlines()
    assert location.startswith(str(site))
    assert valid == "[]"
    assert "title" in invalid
