"""The local moto server (tasks_local.moto_fixes.server) routes every request as moto's does, but finds each
host's service once instead of on every request."""

import boto3
import moto
import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from tasks_local.moto_fixes.server import HostCachingDispatcher, LocalMotoServer

HOSTS = [
    None,
    "moto_api",
    "dynamodb.us-east-1.amazonaws.com",
    "streams.dynamodb.eu-west-1.amazonaws.com",
    "sqs.us-east-1.amazonaws.com",
    "sns.us-east-1.amazonaws.com",
    "events.us-east-1.amazonaws.com",
    "states.us-east-1.amazonaws.com",
    "secretsmanager.us-east-1.amazonaws.com",
    "my-bucket.s3.amazonaws.com",
    "lambda",
    "nothing.example.org",
]


@pytest.mark.parametrize("host", HOSTS)
def test_every_host_finds_the_backend_moto_finds(host):
    moto_finds = DomainDispatcherApplication(create_backend_app).get_backend_for_host(host)
    caching = HostCachingDispatcher()
    assert caching.get_backend_for_host(host) == moto_finds
    assert caching.get_backend_for_host(host) == moto_finds  # the second answer is the remembered one


@pytest.fixture
def server():
    server = LocalMotoServer("127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


def _client(server, service):
    host, port = server.get_host_and_port()
    return boto3.client(
        service,
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_the_server_serves_the_stacks_services_and_looks_each_host_up_once(server, monkeypatch):
    lookups = []
    listing = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: lookups.append(1) or listing())
    sqs, events, secrets = (_client(server, name) for name in ("sqs", "events", "secretsmanager"))

    for n in range(10):
        url = sqs.create_queue(QueueName=f"q{n}")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=f"message {n}")
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == f"message {n}"
        events.create_event_bus(Name=f"bus{n}")
        secrets.create_secret(Name=f"secret{n}", SecretString=str(n))
        assert secrets.get_secret_value(SecretId=f"secret{n}")["SecretString"] == str(n)

    assert {f"bus{n}" for n in range(10)} <= {bus["Name"] for bus in events.list_event_buses()["EventBuses"]}
    assert len(lookups) <= 3  # once per host (sqs, events, secretsmanager), not once per request (72)


def test_the_server_refuses_another_moto_version(monkeypatch):
    monkeypatch.setattr(moto, "__version__", "9.9.9")
    refusal = r"moto_fixes\.server was written against moto 5\.2\.5, not moto 9\.9\.9"
    with pytest.raises(RuntimeError, match=refusal):
        LocalMotoServer("127.0.0.1", 0)
