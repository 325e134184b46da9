"""Moving `live` in AWS (ops/tasks_ops/traffic.py): Lambda on moto; CodeDeploy faked where moto's
stub cannot move (its deployments stay `Created` forever)."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tasks_ops import traffic as release
from tasks_ops.traffic import ReleaseError, Releaser, Target

ENV = "staging"


class FakeCodeDeploy:
    """Deployments that end as told: `outcomes` maps a function to the statuses its deployment
    reports, one per poll (the last one repeats)."""

    def __init__(
        self, outcomes: dict[str, list[str]] | None = None, history: list[dict] | None = None
    ) -> None:
        self.outcomes = outcomes or {}
        self.created: list[dict[str, Any]] = []
        self.stopped: list[dict[str, Any]] = []
        self.history = history or []  # earlier deployments: deploymentId, group, status, appspec
        self._polls: dict[str, int] = {}

    def list_deployments(self, applicationName, deploymentGroupName, includeOnlyStatuses):
        return {
            "deployments": [
                d["deploymentId"]
                for d in self.history
                if d["group"] == deploymentGroupName and d["status"] in includeOnlyStatuses
            ]
        }

    def batch_get_deployments(self, deploymentIds):
        infos = [d for d in self.history if d["deploymentId"] in deploymentIds]
        return {
            "deploymentsInfo": [
                {
                    "deploymentId": d["deploymentId"],
                    "status": d["status"],
                    "createTime": d["createTime"],
                    "revision": {"appSpecContent": {"content": d["appspec"]}},
                }
                for d in infos
            ]
        }

    def create_deployment(self, **request):
        deployment = f"d-{len(self.created) + 1:08d}"
        self.created.append({"deploymentId": deployment, **request})
        return {"deploymentId": deployment}

    def stop_deployment(self, deploymentId, autoRollbackEnabled):
        self.stopped.append({"deploymentId": deploymentId, "autoRollbackEnabled": autoRollbackEnabled})
        for d in self.history:
            if d["deploymentId"] == deploymentId:
                self.outcomes[d["group"]] = ["Stopped"]
        return {"status": "Pending"}

    def get_deployment(self, deploymentId):
        group = next(
            (d["deploymentGroupName"] for d in self.created if d["deploymentId"] == deploymentId),
            next((d["group"] for d in self.history if d["deploymentId"] == deploymentId), None),
        )
        statuses = self.outcomes.get(group, ["Succeeded"])
        poll = self._polls.get(deploymentId, 0)
        self._polls[deploymentId] = poll + 1
        status = statuses[min(poll, len(statuses) - 1)]
        info = {"deploymentId": deploymentId, "status": status}
        if status != "Succeeded":
            info["errorInformation"] = {"message": "alarm staging-tasks-tasks-api-errors fired"}
        return {"deploymentInfo": info}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def lambdas():
    """moto's Lambda, and a way to deploy a function with a number of versions and `live` on one."""
    with mock_aws():
        role = boto3.client("iam").create_role(
            RoleName="staging-tasks-fn",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        client = boto3.client("lambda")

        def deploy(name: str, versions: int, live: int) -> Target:
            target = Target(ENV, name)
            client.create_function(
                FunctionName=target.function,
                Runtime="python3.12",
                Role=role,
                Handler="handler.handle",
                Code={"ZipFile": _zip()},
            )
            for number in range(versions):
                client.update_function_configuration(
                    FunctionName=target.function, Description=f"v{number + 1}"
                )
                client.publish_version(FunctionName=target.function)
            client.create_alias(FunctionName=target.function, Name="live", FunctionVersion=str(live))
            return target

        client.deploy = deploy
        yield client


def _releaser(lambdas, codedeploy) -> tuple[Releaser, io.StringIO]:
    out = io.StringIO()
    return Releaser(lambdas, codedeploy, out=out, sleep=lambda _seconds: None), out


def _live(lambdas, target: Target) -> str:
    return lambdas.get_alias(FunctionName=target.function, Name="live")["FunctionVersion"]


def test_rollback_points_live_at_the_version_before_the_one_it_serves(lambdas):
    target = lambdas.deploy("tasks-api", versions=3, live=3)
    releaser, out = _releaser(lambdas, FakeCodeDeploy())

    assert releaser.rollback([target]) == 0

    assert _live(lambdas, target) == "2"
    assert out.getvalue() == "  <-  staging-tasks-tasks-api: live 3 -> 2\n"


def test_a_second_rollback_goes_one_version_further_back(lambdas):
    target = lambdas.deploy("tasks-api", versions=3, live=3)
    releaser, _ = _releaser(lambdas, FakeCodeDeploy())

    releaser.rollback([target])
    releaser.rollback([target])

    assert _live(lambdas, target) == "1"


def test_rollback_of_the_first_version_says_there_is_none_before_it(lambdas):
    target = lambdas.deploy("tasks-api", versions=1, live=1)
    releaser, _ = _releaser(lambdas, FakeCodeDeploy())

    with pytest.raises(ReleaseError, match="live is version 1, and there is none before it"):
        releaser.rollback([target])


def test_rollback_during_a_shift_stops_it_and_lets_codedeploy_move_live_back(lambdas):
    target = lambdas.deploy("tasks-api", versions=2, live=1)
    shifting = {
        "deploymentId": "d-RUNNING",
        "group": target.function,
        "status": "InProgress",
        "createTime": datetime.now(UTC),
        "appspec": release.appspec(target, 1, 2),
    }
    codedeploy = FakeCodeDeploy(history=[shifting])
    releaser, out = _releaser(lambdas, codedeploy)

    assert releaser.rollback([target]) == 0

    assert codedeploy.stopped == [{"deploymentId": "d-RUNNING", "autoRollbackEnabled": True}]
    assert "stopped d-RUNNING; CodeDeploy moves live back" in out.getvalue()
    assert _live(lambdas, target) == "1"  # not moved by hand: CodeDeploy's rollback owns it


def test_shift_deploys_each_function_whose_live_lags_its_latest_version(lambdas):
    behind = lambdas.deploy("tasks-api", versions=3, live=2)
    current = lambdas.deploy("task-created", versions=2, live=2)
    codedeploy = FakeCodeDeploy(outcomes={behind.function: ["InProgress", "InProgress", "Succeeded"]})
    releaser, out = _releaser(lambdas, codedeploy)

    assert releaser.shift([behind, current]) == 0

    [deployment] = codedeploy.created
    assert (deployment["applicationName"], deployment["deploymentGroupName"]) == (
        "staging-tasks",
        "staging-tasks-tasks-api",
    )
    spec = json.loads(deployment["revision"]["appSpecContent"]["content"])
    assert spec["Resources"] == [
        {
            "tasks-api": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Name": "staging-tasks-tasks-api",
                    "Alias": "live",
                    "CurrentVersion": "2",
                    "TargetVersion": "3",
                },
            }
        }
    ]
    assert "staging-tasks-task-created: live is version 2, the latest" in out.getvalue()
    assert "staging-tasks-tasks-api: d-00000001 succeeded" in out.getvalue()


def test_shift_fails_when_an_alarm_rolls_a_deployment_back(lambdas):
    target = lambdas.deploy("tasks-api", versions=2, live=1)
    releaser, out = _releaser(
        lambdas, FakeCodeDeploy(outcomes={"staging-tasks-tasks-api": ["InProgress", "Stopped"]})
    )

    assert releaser.shift([target]) == 1

    assert out.getvalue().splitlines()[-1] == (
        "FAIL  staging-tasks-tasks-api: d-00000001 stopped: alarm staging-tasks-tasks-api-errors fired"
    )


def test_shift_does_not_retry_a_version_that_was_rolled_back(lambdas):
    target = lambdas.deploy("tasks-api", versions=2, live=1)
    rolled_back = {
        "deploymentId": "d-EARLIER",
        "group": target.function,
        "status": "Stopped",
        "createTime": datetime.now(UTC) - timedelta(hours=1),
        "appspec": release.appspec(target, 1, 2),
    }
    codedeploy = FakeCodeDeploy(history=[rolled_back])
    releaser, out = _releaser(lambdas, codedeploy)

    assert releaser.shift([target]) == 1

    assert codedeploy.created == []
    assert "version 2 was rolled back by d-EARLIER; live stays at 1" in out.getvalue()


def test_rollback_without_credentials_is_one_line_naming_what_is_missing(monkeypatch, capsys):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    assert release.rollback(ENV, "tasks-api") == 2

    assert capsys.readouterr().err == (
        "error: no AWS credentials: set AWS_PROFILE (or assume the deploy role) for this environment's "
        "account\n"
    )


def test_rollback_of_an_unknown_function_names_the_ones_there_are(capsys):
    assert release.rollback(ENV, "tasks-apy") == 2

    assert capsys.readouterr().err.startswith("error: FN must be all or one of task-completed, task-created")
