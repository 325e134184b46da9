"""Test-wide settings: fake AWS credentials, no tracing, the tables' environment."""

import os

import boto3
import pytest
from moto import mock_aws

from tasks_local.aws import create_secrets, in_process_environment, patch_moto, secret_names
from tasks_shared.tables import create_table_request, definitions

patch_moto()  # every in-process moto test runs on the local runtime's moto, as `make dev` does

TEST_ENV = in_process_environment("test-tasks")

# Never reach a real endpoint from the in-process tests, whatever the developer's shell says.
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
os.environ.update(TEST_ENV)


def create_resources():
    """Every table from its single definition, and the secrets, in the moto that runs; its DynamoDB
    client."""
    client = boto3.client("dynamodb")
    for key, definition in definitions().items():
        client.create_table(**create_table_request(key, os.environ[definition["env"]]))
    create_secrets(boto3.client("secretsmanager"), secret_names("test-tasks"))
    return client


@pytest.fixture
def aws():
    """moto in-process, with every table and secret created from its definition."""
    with mock_aws():
        yield create_resources()
