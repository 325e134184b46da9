"""The local event source mappings keep Lambda's promises when a function misbehaves: a crashed or
garbled invocation loses nothing."""

import json
import os
import threading

import boto3
import pytest

from tasks_local.runtime.pollers import QueuePoller, StreamPoller
from tasks_shared.adapters.memory import RecordingApprovals
from tasks_shared.domain.model import Caller
from tasks_shared.domain.paging import PageTokens
from tasks_shared.usecases.tasks import TaskService
from tests.support.pipeline import InProcess


class Scripted(InProcess):
    """A function that answers each invocation with the next scripted outcome (an exception is raised)."""

    def __init__(self, *outcomes):
        self.batches: list[int] = []
        script = iter(outcomes)

        def handler(event, _context):
            self.batches.append(len(event["Records"]))
            outcome = next(script)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        super().__init__("scripted", handler)


def _stream_poller(function, resources, retries: int) -> StreamPoller:
    spec = {"batchSize": 100, "maximumRetryAttempts": retries, "startingPosition": "TRIM_HORIZON"}
    failures = resources.queues["publisher-failures"].url
    return StreamPoller(function, spec, threading.Event(), os.environ["TASKS_TABLE"], failures)


def _messages(url: str) -> list[dict]:
    return boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


@pytest.fixture
def one_change(tasks):
    TaskService(tasks, PageTokens(b"0123456789abcdef"), RecordingApprovals()).create(
        Caller("olivia"), {"title": "t"}
    )


def test_a_crashed_stream_invocation_is_retried_not_lost(aws, resources, one_change):
    function = Scripted(RuntimeError("out of memory"), {"batchItemFailures": []})
    _stream_poller(function, resources, retries=2).poll_once()
    assert function.batches == [1, 1]
    assert _messages(resources.queues["publisher-failures"].url) == []


def test_a_stream_batch_that_keeps_crashing_is_described_on_the_failure_queue(aws, resources, one_change):
    function = Scripted(RuntimeError("bug"), RuntimeError("bug"))
    _stream_poller(function, resources, retries=1).poll_once()
    assert function.batches == [1, 1]
    [description] = _messages(resources.queues["publisher-failures"].url)
    assert json.loads(description["Body"])["requestContext"]["condition"] == "RetryAttemptsExhausted"


@pytest.mark.parametrize(
    "outcome",
    [
        RuntimeError("crash"),
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
        {"batchItemFailures": [{}]},
    ],
    ids=["crash", "empty-identifier", "unknown-identifier", "no-identifier"],
)
def test_a_queue_batch_whose_invocation_failed_as_a_whole_keeps_every_message(aws, resources, outcome):
    """Lambda reads a response naming no known record as a failure of the whole batch: nothing is deleted."""
    queue = resources.queues["task-created"]
    sqs = boto3.client("sqs")
    for number in range(3):
        sqs.send_message(QueueUrl=queue.url, MessageBody=f"message {number}")
    poller = QueuePoller(Scripted(outcome), {"batchSize": 10}, threading.Event(), queue.url, queue.arn)
    poller.wait_seconds = 0
    assert poller.poll_once()
    attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 3  # back after the visibility timeout
