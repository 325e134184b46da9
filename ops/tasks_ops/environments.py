"""The deployed environments: which there are, where their Terraform roots are, their region, and an AWS
session for one once credentials are there. Every ops command that touches AWS starts here."""

from pathlib import Path
from typing import Any

import boto3
import hcl2

from tasks_local.runtime.settings import REPO_ROOT

ENVS = REPO_ROOT / "infra" / "envs"
ENVIRONMENTS = ("dev", "staging", "prod")


class Missing(RuntimeError):
    """Something an ops command needs is not there; the message names it."""


def checked(env: str) -> str:
    if env not in ENVIRONMENTS:
        raise Missing(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    return env


def root(env: str) -> Path:
    """The environment's Terraform root (infra/envs/<env>)."""
    return ENVS / checked(env)


def region(env: str) -> str:
    """The region its tfvars deploy to."""
    plain = hcl2.SerializationOptions(strip_string_quotes=True)
    return hcl2.loads((root(env) / "terraform.tfvars").read_text(), serialization_options=plain)["region"]


def session(env: str) -> Any:
    """A boto3 session in the environment's region, once credentials are there."""
    found = boto3.Session(region_name=region(env))
    if found.get_credentials() is None:
        raise Missing(
            "no AWS credentials: set AWS_PROFILE (or assume the deploy role) for this environment's account"
        )
    return found
