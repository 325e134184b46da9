"""Test-wide settings: fake AWS credentials, no tracing, the tables' environment."""

import os

import boto3
import pytest
from moto import mock_aws

from tasks_shared.tables import create_table_request, definitions

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "TasksPlatform",
    "TASKS_TABLE": "test-tasks-tasks",
    "VIEWS_TABLE": "test-tasks-views",
    "ACTIVITY_TABLE": "test-tasks-activity",
    "PAGINATION_SECRET": "a-test-secret-of-enough-length",
}

# Never reach a real endpoint from the in-process tests, whatever the developer's shell says.
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
os.environ.update(TEST_ENV)


@pytest.fixture
def aws():
    """moto in-process, with every table created from its single definition."""
    with mock_aws():
        client = boto3.client("dynamodb")
        for key, definition in definitions().items():
            client.create_table(**create_table_request(key, os.environ[definition["env"]]))
        yield client
