"""`make smoke` against `make dev`: every step passes and the tasks it made are gone; against a dead URL
it fails at its first step and names it; with tokens of its caller's choosing it acts as that caller."""

import re

import pytest

from tests.support.harness import free_port

pytestmark = pytest.mark.e2e

STEPS = [
    "health",
    "create",
    "get",
    "update with If-Match",
    "stale If-Match",
    "delete",
    "gone",
    "approval requested",
    "approval decided",
    "approval recorded",
]
_STEP_LINE = re.compile(r"^  ok  ([^:]+): ")


def _make_smoke(stack, *variables):
    return stack.run(["make", "-s", "--no-print-directory", "smoke", *variables], timeout=180)


def _passed_steps(stdout):
    return [match[1] for line in stdout.splitlines() if (match := _STEP_LINE.match(line))]


def test_make_smoke_passes_every_step_against_make_dev(stack):
    result = _make_smoke(stack)

    assert result.returncode == 0, result.stdout + result.stderr
    assert _passed_steps(result.stdout) == STEPS
    assert result.stdout.splitlines()[-1] == f"smoke test passed: {len(STEPS)} steps"


def test_make_smoke_leaves_no_task_behind(stack):
    owner = stack.session("smoke-owner")

    result = _make_smoke(stack)

    assert result.returncode == 0, result.stdout + result.stderr
    created = re.findall(r"201 ([0-9a-f-]{36})", result.stdout)
    assert len(created) == 2
    for task_id in created:
        assert owner.get(f"{stack.api_url}/tasks/{task_id}", timeout=30).status_code == 404


def test_make_smoke_uses_the_tokens_it_is_given(stack):
    token = stack.token("carol")

    result = _make_smoke(stack, f"URL={stack.api_url}", f"TOKEN={token}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "approved by smoke-approver" in result.stdout  # no APPROVER_TOKEN: a local one, on this machine


def test_make_smoke_against_a_dead_url_fails_naming_the_first_step(stack):
    dead = f"http://127.0.0.1:{free_port()}"

    result = _make_smoke(stack, f"URL={dead}")

    assert result.returncode != 0
    assert result.stdout.splitlines()[-1] == f"FAIL  health: no answer from {dead} (ConnectionError)"
    assert _passed_steps(result.stdout) == []


def test_make_smoke_with_a_token_the_stack_refuses_names_the_step_that_met_it(stack):
    result = _make_smoke(stack, f"URL={stack.api_url}", "TOKEN=not-a-token")

    assert result.returncode != 0
    assert _passed_steps(result.stdout) == ["health"]
    assert result.stdout.splitlines()[-1] == "FAIL  create: POST /tasks answered 401, not 201: Unauthorized"


def test_make_smoke_of_a_remote_stack_without_a_token_says_what_it_needs(stack):
    result = _make_smoke(stack, "URL=https://tasks.example.com")

    assert result.returncode != 0
    assert "TOKEN is required for https://tasks.example.com" in result.stderr
