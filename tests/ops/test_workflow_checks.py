"""`make lint`'s workflow check: the real ASL passes, and each mistake statelint misses is caught."""

import json

import pytest

from tasks_local.runtime.workflow import ASL_PATH, workflow_values
from tasks_ops.checks.workflow import own_problems, problems

VALUES = workflow_values("t-tasks", "arn:aws:sns:us-east-1:123456789012:t", "http://localhost")


def _definition() -> dict:
    return json.loads(ASL_PATH.read_text())


def _await_decision(definition: dict) -> dict:
    return definition["States"]["RequestApproval"]["Branches"][0]["States"]["AwaitDecision"]


def test_the_approval_workflow_passes_statelint_and_our_checks():
    assert problems(ASL_PATH.read_text(), VALUES) == []


def test_a_misspelt_wait_for_task_token_is_caught_where_statelint_lets_it_pass():
    definition = _definition()
    state = _await_decision(definition)
    state["Resource"] = state["Resource"].replace("waitForTaskToken", "waitForTaskTokn")
    found = problems(json.dumps(definition), VALUES)
    assert not [problem for problem in found if problem.startswith("statelint")]
    assert any("does not end with .waitForTaskToken" in problem for problem in found)


def test_a_token_wait_without_a_timeout_is_caught():
    definition = _definition()
    del _await_decision(definition)["TimeoutSecondsPath"]
    assert any("no timeout" in problem for problem in own_problems(definition))


def test_an_error_in_the_wrong_service_spelling_is_caught():
    definition = _definition()
    catch = definition["States"]["RequestApproval"]["Catch"][0]
    catch["ErrorEquals"] = ["DynamoDB.ConditionalCheckFailedException"]
    assert any("is never raised" in problem for problem in own_problems(definition))


@pytest.mark.parametrize("missing", sorted(VALUES))
def test_every_placeholder_must_have_a_value(missing):
    values = {name: value for name, value in VALUES.items() if name != missing}
    assert problems(ASL_PATH.read_text(), values) == [
        f"placeholder ${{{missing}}} has no value in the local runtime"
    ]


def test_statelint_itself_runs_on_the_rendered_definition():
    definition = _definition()
    definition["States"]["RequestApproval"]["Next"] = "NoSuchState"
    assert any(problem.startswith("statelint") for problem in problems(json.dumps(definition), VALUES))


def test_a_dollar_brace_that_is_not_a_placeholder_is_caught():
    definition = _definition()
    definition["Comment"] = "filled by ${...}"
    assert problems(json.dumps(definition), VALUES) == [
        "a '${' that is not a ${name} placeholder: Terraform's templatefile would fail on it"
    ]
