"""The embedded AWS: moto in server mode, provisioned from the definitions Terraform reads."""

import json
import os
import secrets
from typing import Any

import boto3

from tasks_local.moto_fixes import dynamodb as moto_dynamodb
from tasks_local.moto_fixes import jsonpath as moto_jsonpath
from tasks_local.moto_fixes import sqs as moto_sqs
from tasks_local.moto_fixes import stepfunctions as moto_stepfunctions
from tasks_local.moto_fixes.server import LocalMotoServer
from tasks_local.runtime.bus import event_resource_names
from tasks_local.runtime.settings import LocalSettings, write_private
from tasks_shared.tables import create_table_request, definitions, physical_name


def aws_environment(settings: LocalSettings) -> dict[str, str]:
    """What every local process (handlers, boto3, the aws CLI) needs to talk to moto, not to AWS."""
    return {
        "AWS_ENDPOINT_URL": settings.aws_endpoint,
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # botocore >= 1.40 routes some calls (DynamoDB Streams) to account-based endpoints moto can't serve.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        # moto's Step Functions interpreter calls back into the server on this port.
        "MOTO_PORT": str(settings.aws_port),
        # No X-Ray daemon here: tracing off (importing the SDK still costs; see docs/performance.md).
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def in_process_environment(prefix: str) -> dict[str, str]:
    """For moto in-process (tests, benches): fake credentials, no tracing, tables named <prefix>-<key>.

    Apply it before any handler reads its configuration, and without AWS_ENDPOINT_URL, so nothing
    can reach a real endpoint.
    """
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "TasksPlatform",
        "PAGINATION_SECRET_ID": secret_names(prefix)["pagination"],
        **{definition["env"]: physical_name(prefix, key) for key, definition in definitions().items()},
    }


def secret_names(prefix: str) -> dict[str, str]:
    """The secrets by their manifest key (`${secrets.<key>}`): locally their names, in AWS their ARNs."""
    return {"pagination": f"{prefix}-pagination"}


def create_secrets(client: Any, names: dict[str, str]) -> None:
    """Each secret with a fresh random value, in Secrets Manager (moto's): the functions read it there,
    as in AWS. A fresh page-token key per run: tokens from an earlier run are rejected, as after a
    rotation."""
    for name in names.values():
        client.create_secret(Name=name, SecretString=secrets.token_urlsafe(32))


def resource_names(settings: LocalSettings) -> dict[str, Any]:
    """The values manifests' ${...} placeholders take locally, as Terraform fills them in AWS."""
    return {
        "tables": {key: physical_name(settings.prefix, key) for key in definitions()},
        "secrets": secret_names(settings.prefix),
        "settings": {"retention_days": os.environ.get("RETENTION_DAYS", "90"), "metrics_disabled": "false"},
        **event_resource_names(settings.prefix, settings.region),
    }


def provision(settings: LocalSettings, names: dict[str, Any]) -> None:
    """Create every table (with its stream and TTL) from its single definition, and the secrets."""
    secretsmanager = boto3.client(
        "secretsmanager", endpoint_url=settings.aws_endpoint, region_name=settings.region
    )
    create_secrets(secretsmanager, names["secrets"])
    client = boto3.client("dynamodb", endpoint_url=settings.aws_endpoint, region_name=settings.region)
    existing = set(client.list_tables()["TableNames"])
    for key, table_name in names["tables"].items():
        if table_name in existing:
            continue
        client.create_table(**create_table_request(key, table_name))
        ttl = definitions()[key].get("TimeToLive")
        if ttl:
            client.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )


def save_stack(settings: LocalSettings, names: dict[str, Any]) -> None:
    """Where the running stack is and what it holds, for `make publish` and `make invoke`."""
    stack = {"aws_endpoint": settings.aws_endpoint, "region": settings.region, "names": names}
    write_private(settings.stack_file, json.dumps(stack).encode())  # private all the same: it is ours


def patch_moto() -> None:
    """The local runtime's fixes to moto, in `make dev`, the tests and the benches alike: its DynamoDB
    without O(table) copies, leaks and races; its JSONPaths parsed once; its SQS without O(queue) work
    per message received; each state machine definition parsed once (idempotent)."""
    moto_dynamodb.PATCHES.install()
    moto_jsonpath.PATCHES.install()
    moto_sqs.PATCHES.install()
    moto_stepfunctions.PATCHES.install()


def start_moto(settings: LocalSettings) -> None:
    """moto's server on loopback, in a daemon thread of this process: it ends when the process does."""
    os.environ.update(aws_environment(settings))
    patch_moto()
    LocalMotoServer(
        settings.host, settings.aws_port, settings.origin_policy
    ).start()  # finds each request's service once per host
