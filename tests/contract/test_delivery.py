"""The delivery path agrees with itself: the workflows pin what they run and ask for no more than they
need, the rollback job offers every function, and the CodeDeploy names release.py relies on are the
ones infra/modules/deployment gives, wired to each function's alarms."""

import re
from pathlib import Path

import pytest
import yaml

from tasks_local.runtime.settings import REPO_ROOT
from tasks_ops.traffic import function_names
from tests.contract.terraform import blocks

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def _uses(workflow: dict) -> list[str]:
    return [
        step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "uses" in step
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_beside_it(path):
    workflow = _load(path)
    text = path.read_text()

    assert [uses for uses in _uses(workflow) if not _PINNED.match(uses)] == []
    for uses in _uses(workflow):
        assert re.search(re.escape(uses) + r" # v\d+\.\d+\.\d+\n", text), uses


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflows_grant_nothing_by_default_and_never_run_on_pull_request_target(path):
    workflow = _load(path)

    assert workflow["permissions"] == {}
    assert "pull_request_target" not in workflow["on"]
    assert all("permissions" in job for job in workflow["jobs"].values())


def test_only_the_deploying_jobs_may_ask_for_an_oidc_token():
    jobs = {
        f"{path.name}:{name}": job
        for path in WORKFLOWS
        for name, job in _load(path)["jobs"].items()
        if job["permissions"].get("id-token") == "write"
    }

    assert sorted(jobs) == ["deploy.yml:production", "deploy.yml:rollback", "deploy.yml:staging"]
    assert {job["environment"] for name, job in jobs.items() if not name.endswith("rollback")} == {
        "staging",
        "production",
    }


def test_the_rollback_job_offers_every_function_and_all():
    inputs = _load(REPO_ROOT / ".github/workflows/deploy.yml")["on"]["workflow_dispatch"]["inputs"]

    assert inputs["function"]["options"] == ["all", *function_names()]


def test_production_waits_for_staging_and_each_environment_deploys_one_at_a_time():
    jobs = _load(REPO_ROOT / ".github/workflows/deploy.yml")["jobs"]

    assert jobs["staging"]["needs"] == "package"
    assert jobs["production"]["needs"] == "staging"
    assert jobs["staging"]["concurrency"] == {"group": "deploy-staging", "cancel-in-progress": False}
    assert jobs["production"]["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}


def test_codedeploy_names_its_application_after_the_environment_and_each_group_after_its_function():
    application = blocks("deployment", "resource", "aws_codedeploy_app")["aws_codedeploy_app.this"]
    group = blocks("deployment", "resource", "aws_codedeploy_deployment_group")[
        "aws_codedeploy_deployment_group.this"
    ]

    assert application["name"] == "${var.prefix}"  # release.Target.application: <env>-tasks
    assert group["deployment_group_name"] == "${each.value}"  # the function's name: <env>-tasks-<name>
    assert group["for_each"] == "${var.function_names}"


def test_each_deployment_group_rolls_back_on_its_functions_alarms():
    group = blocks("deployment", "resource", "aws_codedeploy_deployment_group")[
        "aws_codedeploy_deployment_group.this"
    ]
    stack = blocks("stack", "module")["deployment"]

    assert group["alarm_configuration"][0]["alarms"] == "${var.alarm_names[each.key]}"
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["auto_rollback_configuration"][0]["events"]
    assert stack["alarm_names"] == "${module.observability.function_alarm_names}"


def test_terraform_leaves_the_live_alias_to_codedeploy_once_it_exists():
    alias = blocks("function", "resource", "aws_lambda_alias")["aws_lambda_alias.live"]

    assert alias["lifecycle"][0]["ignore_changes"] == ["function_version", "routing_config"]
