"""Moving each function's `live` alias in AWS: forward through CodeDeploy after `make deploy`'s apply,
back by hand with `make rollback ENV=.. FN=..`.

Terraform publishes a new version of every function whose code or settings changed, and leaves `live`
where it was (infra/modules/function). A shift is one CodeDeploy deployment per function whose alias
lags its latest version (application `<env>-tasks`, group `<env>-tasks-<function>`,
infra/modules/deployment): traffic moves as the environment's `traffic_shifting` says, and CodeDeploy
moves it back by itself when one of the function's alarms fires. A rollback stops a shift in progress
(CodeDeploy then restores the old version), or else points `live` at the version before the one it serves.
"""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from tasks_local.runtime.manifest import manifest_paths
from tasks_ops import environments
from tasks_ops.environments import Missing

ALIAS = "live"
ACTIVE = ["Created", "Queued", "InProgress", "Baking", "Ready"]
ENDED = {"Succeeded", "Failed", "Stopped"}
POLL_SECONDS = 15.0
TIMEOUT_SECONDS = 2 * 3600  # the slowest shift allowed by traffic_shifting is far shorter


class ReleaseError(RuntimeError):
    """A function could not be moved; the message names it and says why."""


@dataclass(frozen=True)
class Target:
    """One function of one environment, as deployed."""

    env: str
    name: str  # its folder under services/ (the manifest's name)

    @property
    def application(self) -> str:
        return f"{self.env}-tasks"

    @property
    def function(self) -> str:
        return f"{self.env}-tasks-{self.name}"


def function_names() -> list[str]:
    return sorted(path.parent.name for path in manifest_paths())


def targets(env: str, function: str = "all") -> list[Target]:
    environments.checked(env)
    names = function_names()
    if function != "all" and function not in names:
        raise Missing(f"FN must be all or one of {', '.join(names)}, not {function!r}")
    return [Target(env, name) for name in (names if function == "all" else [function])]


def aws_clients(env: str) -> tuple[Any, Any]:
    """Lambda and CodeDeploy clients in the environment's region, once credentials are there."""
    session = environments.session(env)
    return session.client("lambda"), session.client("codedeploy")


def live_version(lambda_client: Any, target: Target) -> int:
    return int(lambda_client.get_alias(FunctionName=target.function, Name=ALIAS)["FunctionVersion"])


def published_versions(lambda_client: Any, target: Target) -> list[int]:
    pages = lambda_client.get_paginator("list_versions_by_function").paginate(FunctionName=target.function)
    return sorted(
        int(version["Version"])
        for page in pages
        for version in page["Versions"]
        if version["Version"] != "$LATEST"
    )


def appspec(target: Target, current: int, new: int) -> str:
    """CodeDeploy's AppSpec for a Lambda deployment: move `live` from `current` to `new`."""
    properties = {
        "Name": target.function,
        "Alias": ALIAS,
        "CurrentVersion": str(current),
        "TargetVersion": str(new),
    }
    resource = {target.name: {"Type": "AWS::Lambda::Function", "Properties": properties}}
    return json.dumps({"version": 0.0, "Resources": [resource]})


class Releaser:
    """The two moves, on clients given to it (boto3's in AWS, moto's or fakes in tests)."""

    def __init__(
        self,
        lambda_client: Any,
        codedeploy: Any,
        out: TextIO = sys.stdout,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lambda_client = lambda_client
        self.codedeploy = codedeploy
        self.out = out
        self.sleep = sleep
        self.clock = clock

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def deployments(self, target: Target, statuses: list[str]) -> list[dict[str, Any]]:
        """The group's deployments in these statuses, newest first."""
        ids = self.codedeploy.list_deployments(
            applicationName=target.application,
            deploymentGroupName=target.function,
            includeOnlyStatuses=statuses,
        )["deployments"]
        if not ids:
            return []
        infos = self.codedeploy.batch_get_deployments(deploymentIds=ids)["deploymentsInfo"]
        return sorted(infos, key=lambda info: info["createTime"], reverse=True)

    def rolled_back_before(self, target: Target, version: int) -> str | None:
        """The id of an ended deployment to `version` that did not succeed: it is not tried again."""
        for info in self.deployments(target, ["Failed", "Stopped"]):
            content = info.get("revision", {}).get("appSpecContent", {}).get("content", "{}")
            resources = json.loads(content).get("Resources", [])
            if any(
                properties.get("Properties", {}).get("TargetVersion") == str(version)
                for resource in resources
                for properties in resource.values()
            ):
                return info["deploymentId"]
        return None

    def shift(self, targets: list[Target]) -> int:
        """Start one deployment per function whose `live` lags its latest version, then wait for all."""
        started: dict[str, Target] = {}
        refused = 0
        for target in targets:
            current, latest = (
                live_version(self.lambda_client, target),
                max(published_versions(self.lambda_client, target)),
            )
            if latest == current:
                self.say(f"  =   {target.function}: live is version {current}, the latest")
                continue
            failed = self.rolled_back_before(target, latest)
            if failed:
                refused += 1
                self.say(
                    f"FAIL  {target.function}: version {latest} was rolled back by {failed}; live stays at "
                    f"{current} (push a fix: the next apply publishes a new version)"
                )
                continue
            deployment = self.codedeploy.create_deployment(
                applicationName=target.application,
                deploymentGroupName=target.function,
                revision={
                    "revisionType": "AppSpecContent",
                    "appSpecContent": {"content": appspec(target, current, latest)},
                },
                description=f"live {current} -> {latest}",
            )["deploymentId"]
            started[deployment] = target
            self.say(f"  ->  {target.function}: live {current} -> {latest} ({deployment})")
        failures = self.wait(started)
        return 1 if failures or refused else 0

    def wait(self, started: dict[str, Target]) -> int:
        """Wait for every deployment to end; one line each. The number that did not succeed."""
        pending, failures = dict(started), 0
        deadline = self.clock() + TIMEOUT_SECONDS
        while pending:
            for deployment, target in list(pending.items()):
                info = self.codedeploy.get_deployment(deploymentId=deployment)["deploymentInfo"]
                if info["status"] not in ENDED:
                    continue
                del pending[deployment]
                if info["status"] == "Succeeded":
                    self.say(f"  ok  {target.function}: {deployment} succeeded")
                else:
                    failures += 1
                    reason = info.get("errorInformation", {}).get("message", "no reason given")
                    self.say(f"FAIL  {target.function}: {deployment} {info['status'].lower()}: {reason}")
            if pending:
                if self.clock() > deadline:
                    raise ReleaseError(f"still shifting after {TIMEOUT_SECONDS} s: {', '.join(pending)}")
                self.sleep(POLL_SECONDS)
        return failures

    def rollback(self, targets: list[Target]) -> int:
        for target in targets:
            active = self.deployments(target, ACTIVE)
            if active:
                deployment = active[0]["deploymentId"]
                self.codedeploy.stop_deployment(deploymentId=deployment, autoRollbackEnabled=True)
                self.say(f"  <-  {target.function}: stopped {deployment}; CodeDeploy moves live back")
                if self.wait({deployment: target}) == 0:
                    raise ReleaseError(
                        f"{target.function}: {deployment} succeeded before it could be stopped"
                    )
                continue
            current = live_version(self.lambda_client, target)
            earlier = [
                version for version in published_versions(self.lambda_client, target) if version < current
            ]
            if not earlier:
                raise ReleaseError(
                    f"{target.function}: live is version {current}, and there is none before it"
                )
            self.lambda_client.update_alias(
                FunctionName=target.function,
                Name=ALIAS,
                FunctionVersion=str(earlier[-1]),
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
            self.say(f"  <-  {target.function}: live {current} -> {earlier[-1]}")
        return 0


def _run(move: Callable[[Releaser, list[Target]], int], env: str, function: str) -> int:
    try:
        chosen = targets(env, function)
        lambda_client, codedeploy = aws_clients(env)
        return move(Releaser(lambda_client, codedeploy), chosen)
    except (Missing, ReleaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1


def shift(env: str) -> int:
    """`make deploy`, after the apply: every function's `live` to its latest version."""
    return _run(Releaser.shift, env, "all")


def rollback(env: str, function: str) -> int:
    """`make rollback ENV=.. FN=..`."""
    return _run(Releaser.rollback, env, function)
