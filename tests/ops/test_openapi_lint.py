"""`make lint`'s OpenAPI check: the document the API serves passes Redocly's recommended rules with no
warning, a warning fails it, and a machine without Node hears that it was skipped (CI may not skip it)."""

import json

import pytest

from tasks_local.clients.generated_client import served_document, write_document
from tasks_ops.checks.openapi import REQUIRED, Unavailable, install, lint, main, pinned_version


@pytest.fixture(scope="module")
def redocly():
    """The pinned Redocly CLI, installed as `make lint` installs it (needs Node.js and the npm registry)."""
    try:
        return install()
    except Unavailable as exc:
        pytest.skip(f"no Node.js that runs the pinned Redocly CLI here: {exc}")


def test_the_served_document_has_no_finding(redocly, tmp_path):
    passed, report = lint(redocly, write_document(tmp_path / "openapi.json"))
    assert passed, report


def test_a_warning_of_the_recommended_rules_fails_the_lint(redocly, tmp_path):
    # Given the document with an operation that lost its operationId (a warning in `recommended`)
    document = served_document()
    del document["paths"]["/tasks"]["post"]["operationId"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))

    # When it is linted, Then the lint fails naming the rule
    passed, report = lint(redocly, path)
    assert not passed
    assert "operation-operationId" in report


def test_without_node_the_check_says_it_was_skipped_and_passes(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it: no node, no npm
    monkeypatch.delenv(REQUIRED, raising=False)

    assert main("openapi.json") == 0
    said = capsys.readouterr().out
    assert "redocly lint: skipped, node and npm not on PATH" in said
    assert f"@redocly/cli {pinned_version()} needs node >=" in said


def test_where_the_check_is_required_a_missing_node_fails_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(REQUIRED, "required")

    assert main("openapi.json") == 1
    assert "cannot run" in capsys.readouterr().err
