"""The local SQS fix (tasks_local.moto_fixes.sqs) answers as moto does: each scenario runs on moto as it is
and with the fix, and everything a client can observe is compared."""

import json
import time

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from tasks_local.moto_fixes import sqs as moto_sqs

REGION = "us-east-1"


def _queue_attributes(patched: bool) -> list[dict]:
    """Every attribute, and some by name, of a standard queue holding visible, in-flight and delayed
    messages (with a DLQ and a policy), of a FIFO queue, and of a queue with a KMS key."""
    with moto_sqs.PATCHES.installed(patched), mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        policy = json.dumps({"Version": "2012-10-17", "Statement": []})
        standard = sqs.create_queue(
            QueueName="standard", Attributes={"RedrivePolicy": redrive, "Policy": policy}
        )["QueueUrl"]
        for n in range(5):
            sqs.send_message(QueueUrl=standard, MessageBody=f"visible {n}")
        sqs.send_message(QueueUrl=standard, MessageBody="delayed", DelaySeconds=600)
        sqs.receive_message(QueueUrl=standard, MaxNumberOfMessages=2, VisibilityTimeout=600)
        fifo = sqs.create_queue(
            QueueName="ordered.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
        )["QueueUrl"]
        sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g")
        sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g")  # deduplicated
        keyed = sqs.create_queue(QueueName="keyed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})[
            "QueueUrl"
        ]
        named = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "VisibilityTimeout"]
        answers = []
        for url in (standard, fifo, keyed, dlq):
            every = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            some = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=named)["Attributes"]
            for volatile in ("CreatedTimestamp", "LastModifiedTimestamp"):
                every.pop(volatile)
            answers += [every, some]
        return answers


def test_queue_attributes_are_moto_s():
    patched = _queue_attributes(patched=True)
    assert patched == _queue_attributes(patched=False)
    standard = patched[0]
    assert (
        standard["ApproximateNumberOfMessages"],
        standard["ApproximateNumberOfMessagesNotVisible"],
        standard["ApproximateNumberOfMessagesDelayed"],
    ) == ("3", "2", "1")
    assert patched[2]["ApproximateNumberOfMessages"] == "1"  # the FIFO queue deduplicated by content


def _received_after_retention(patched: bool) -> list[str]:
    """What a receive returns when some messages are older than the queue's retention period."""
    with moto_sqs.PATCHES.installed(patched), mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        for body in ("old", "new"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].get_queue("short")
        old = next(message for message in queue._messages if message.body == "old")
        old.sent_timestamp = int((time.time() - 61) * 1000)  # sent longer ago than the queue keeps it
        first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [message["Body"] for message in first]


def test_a_message_past_the_retention_period_is_not_received_as_in_moto():
    fixed = _received_after_retention(patched=True)
    assert fixed == _received_after_retention(patched=False)
    assert fixed == []  # moto's answer: its receive stops at the first message past the retention period


def test_receiving_does_not_count_the_queue_per_message():
    with moto_sqs.PATCHES.installed(), mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="counted")["QueueUrl"]
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": "m"} for n in range(10)])
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].get_queue("counted")
        walks = []
        messages = queue._messages
        queue._messages = _CountingList(messages, walks)
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 10
    assert len(walks) <= 2  # moto as it is walks it 90 times (3 counts x 3 reads x 10 messages)


class _CountingList(list):
    """The queue's message list, recording each walk over it."""

    def __init__(self, items, walks):
        super().__init__(items)
        self._walks = walks

    def __iter__(self):
        self._walks.append(1)
        return super().__iter__()
