"""`make plan ENV=..` and `make deploy ENV=..`: Terraform on one environment root, once the CLI, the
providers, AWS credentials and the state bucket are there; otherwise one line saying which is missing.

Nothing is faked: without the providers (they are downloaded by `terraform init`) there is no plan.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3

from tasks_local.runtime.manifest import manifest_paths
from tasks_ops import environments, traffic
from tasks_ops.build import DIST, LAYER
from tasks_ops.environments import Missing


def _terraform(env_dir: Path, *args: str) -> subprocess.CompletedProcess:
    command = ["terraform", f"-chdir={env_dir}", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _reason(stderr: str) -> str:
    """Terraform's error in one line: its heading, and the host it could not reach if that was it."""
    heading = next(
        (line.removeprefix("Error: ") for line in stderr.splitlines() if line.startswith("Error:")), ""
    )
    unreachable = re.search(r"could not connect to ([\w.-]+)", " ".join(stderr.split()))
    return "; ".join(
        part for part in (heading, unreachable and f"could not connect to {unreachable[1]}") if part
    )


def check(env: str) -> Path:
    """The environment's root, once everything its plan needs is there."""
    env_dir = environments.root(env)
    if shutil.which("terraform") is None:
        raise Missing("terraform is not on PATH: install Terraform >= 1.10 (docs/deploy.md)")
    packages = [f"{path.parent.name}.zip" for path in manifest_paths()] + [LAYER]
    missing = [name for name in packages if not (DIST / name).is_file()]
    if missing:
        raise Missing(f"dist/ lacks {', '.join(missing)}: run make package")
    providers = _terraform(env_dir, "init", "-backend=false", "-input=false", "-no-color")
    if providers.returncode != 0:
        raise Missing(
            f"the AWS provider is not installed and terraform init could not get it "
            f"({_reason(providers.stderr)})"
        )
    if boto3.Session().get_credentials() is None:
        raise Missing(
            "no AWS credentials: set AWS_PROFILE (or assume the deploy role) for this environment's account"
        )
    if not os.environ.get("TF_STATE_BUCKET"):
        raise Missing(
            "TF_STATE_BUCKET is not set: the state_bucket output of infra/bootstrap (docs/deploy.md)"
        )
    return env_dir


def main(action: str, env: str) -> int:
    try:
        env_dir = check(env)
    except Missing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    region = environments.region(env)
    backend = [f"-backend-config=bucket={os.environ['TF_STATE_BUCKET']}", f"-backend-config=region={region}"]
    init = subprocess.run(
        ["terraform", f"-chdir={env_dir}", "init", "-input=false", "-reconfigure", *backend], check=False
    )
    if init.returncode != 0:
        return init.returncode
    # apply asks before it changes anything; CI answers with TF_CLI_ARGS_apply=-auto-approve.
    run = subprocess.run(["terraform", f"-chdir={env_dir}", action, "-input=false"], check=False)
    if action != "apply" or run.returncode != 0:
        return run.returncode
    # The apply published new versions; CodeDeploy moves `live` to them, watched by their alarms.
    return traffic.shift(env)
