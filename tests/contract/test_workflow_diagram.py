"""The workflow's diagram in docs/approval-workflow.md is the one the ASL gives: `make diagram` after
every change to statemachines/approval.asl.json."""

import json

import pytest

from tasks_local.runtime.workflow import ASL_PATH
from tasks_ops.checks.diagram import DOC_PATH, document_with_diagram, mermaid


def _definition() -> dict:
    return json.loads(ASL_PATH.read_text())


def test_the_documented_diagram_is_the_one_the_asl_gives():
    document = DOC_PATH.read_text()
    assert document_with_diagram(document, _definition()) == document, "run `make diagram` and commit it"


def test_the_diagram_shows_every_state_and_every_caught_error():
    definition = _definition()
    diagram = mermaid(definition)
    branches = definition["States"]["RequestApproval"]["Branches"]
    names = set(definition["States"]) | {name for branch in branches for name in branch["States"]}
    assert all(f" {name}" in diagram for name in names)
    for catch in definition["States"]["RequestApproval"]["Catch"]:
        assert f"RequestApproval --> {catch['Next']}: {', '.join(catch['ErrorEquals'])}" in diagram


def test_a_changed_definition_makes_the_documented_diagram_stale():
    definition = _definition()
    definition["States"]["Withdrawn"]["Comment"] = "unchanged picture"  # comments are not drawn
    document = DOC_PATH.read_text()
    assert document_with_diagram(document, definition) == document
    definition["States"]["RequestApproval"]["Catch"].pop()
    assert document_with_diagram(document, definition) != document


def test_a_document_without_the_block_is_an_error():
    with pytest.raises(ValueError, match="no <!-- diagram: -->"):
        document_with_diagram("# no diagram here\n", _definition())
