"""Test-wide settings: fake AWS credentials, no tracing, the tables' environment."""

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tasks_local.runtime.bus import EventResources, provision_events
from tasks_local.runtime.embedded_aws import create_secrets, in_process_environment, patch_moto, secret_names
from tasks_local.runtime.manifest import load_all
from tasks_shared.adapters.dynamodb.tasks import DynamoDBTaskRepository
from tasks_shared.tables import create_table_request, definitions
from tests.support.botocore_data import share_data_loader
from tests.support.harness import LocalStack, start_stack, stop_stack

patch_moto()  # every in-process moto test runs on the local runtime's moto, as `make dev` does
share_data_loader()  # each test's fresh boto3 session reuses botocore's decoded data files

TEST_ENV = in_process_environment("test-tasks")
PREFIX = "local-tasks"  # the prefix of the queue ARNs in events/samples/sqs/

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


@pytest.fixture
def tasks(aws) -> DynamoDBTaskRepository:
    """The task repository on the in-process moto's tables."""
    return DynamoDBTaskRepository(aws, os.environ["TASKS_TABLE"], os.environ["VIEWS_TABLE"])


@pytest.fixture
def resources(aws) -> EventResources:
    """The bus, its rules and archive, the consumers' queues, the bucket and topics, from the manifests."""
    return provision_events(PREFIX, os.environ["AWS_REGION"], load_all())


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[LocalStack]:
    """`make dev` as a subprocess on free ports, shared by the session's end-to-end tests."""
    running = start_stack(tmp_path_factory.mktemp("local-state"))
    yield running
    stop_stack(running)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs on every core with xdist's `loadgroup`, which hands out a test without a group on
    its own: a module's tests would be spread over the workers, and a module-scoped fixture (the layer's
    build, the IAM recording, a seeded stack) built on each. Each module is its own group unless it names
    one, so its tests run on one worker, one after another, and such a fixture is built once."""
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """xdist groups a worker's tests by the `@group` it appends to their ids; where it cannot (pytest 9.2,
    pytest-xdist#1386) the groups are dropped without a word, and tests that must share a worker do
    not. Stop the run instead."""
    grouping = getattr(session.config.option, "loadgroup", False)
    if grouping and session.items and "@" not in session.items[0].nodeid:
        raise pytest.UsageError("xdist's --dist loadgroup does not group on this pytest: see pyproject.toml")
