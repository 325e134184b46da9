"""Lambda's event source mappings, locally: threads that poll a stream or a queue and invoke a function
with the same batch semantics (partial batch responses, retries, on-failure destination)."""

import json
import threading
import uuid
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any

import boto3

from tasks_local.runtime.checkpoints import Checkpoints
from tasks_local.runtime.functions import LocalFunction

MAX_BACKOFF_SECONDS = 2.0


def _failed_ids(result: Any, batch_ids: list[str]) -> list[str]:
    """The ids of the records to retry, from a partial batch response. As Lambda does, a response
    naming an empty or unknown itemIdentifier fails the whole batch; a non-dict response fails none."""
    if not isinstance(result, dict):
        return []
    failures = result.get("batchItemFailures") or []
    named = [failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures]
    if any(item not in batch_ids for item in named):
        return list(batch_ids)
    return [item for item in batch_ids if item in named]


class Poller(threading.Thread, ABC):
    # Between empty polls of the stream: 0.1 s keeps an HTTP write → consumer effect well under a
    # second at about a tenth of a core while idle (0.05 s cost twice that).
    idle_seconds = 0.1

    def __init__(self, function: LocalFunction, spec: dict[str, Any], stop: threading.Event) -> None:
        super().__init__(name=f"poller-{function.manifest.name}", daemon=True)
        self.function = function
        self.spec = spec
        self.stop = stop

    def _invoke(self, records: list[dict[str, Any]], batch_ids: list[str]) -> list[str]:
        """Invoke with one batch; the ids (in batch order) of the records that must be retried."""
        try:
            return _failed_ids(self.function.invoke({"Records": records}), batch_ids)
        except Exception as exc:  # a crashed invocation fails the whole batch, as in Lambda
            self.function.log.write(f"invocation failed: {type(exc).__name__}: {exc}\n")
            return list(batch_ids)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                busy = self.poll_once()
            except Exception as exc:  # the emulator may be stopping; never kill the poller silently
                if self.stop.is_set():
                    return
                self.function.log.write(f"poller error: {type(exc).__name__}: {exc}\n")
                busy = False
            if not busy and self.idle_seconds:
                self.stop.wait(self.idle_seconds)

    @abstractmethod
    def poll_once(self) -> bool:
        """Deliver one batch if there is one; False when there was nothing to do."""


class QueuePoller(Poller):
    """SQS → Lambda: delete what succeeded; failures reappear after the visibility timeout and the
    queue's redrive policy moves them to the DLQ after maxReceiveCount receives."""

    # Long polling, as Lambda's pollers do: a receive waits up to this long and returns as soon as a
    # message arrives, so an idle queue costs one request a second, not twenty.
    wait_seconds = 1
    idle_seconds = 0

    def __init__(
        self, function: LocalFunction, spec: dict[str, Any], stop: threading.Event, url: str, arn: str
    ):
        super().__init__(function, spec, stop)
        self.url, self.arn = url, arn
        self.sqs = boto3.client("sqs")

    def poll_once(self) -> bool:
        messages = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=min(int(self.spec.get("batchSize", 10)), 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=self.wait_seconds,
        ).get("Messages", [])
        if not messages:
            return False
        ids = [message["MessageId"] for message in messages]
        failed = self._invoke([self._record(message) for message in messages], ids)
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
        return True

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": attributes,
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": self.arn.split(":")[3],
        }


class StreamPoller(Poller):
    """DynamoDB Streams → Lambda: in order per shard; on a partial failure the batch is retried from
    the earliest failed record, with backoff, up to maximumRetryAttempts; then the batch is described
    on the on-failure queue and the shard moves on."""

    def __init__(
        self,
        function: LocalFunction,
        spec: dict[str, Any],
        stop: threading.Event,
        table_name: str,
        failure_queue_url: str | None,
        *,
        checkpoints: Checkpoints | None = None,
    ):
        """With `checkpoints`, the poller resumes after the last record it was done with before a
        restart, and keeps its position there after each batch, as Lambda's mapping does."""
        super().__init__(function, spec, stop)
        self.streams = boto3.client("dynamodbstreams")
        self.sqs = boto3.client("sqs")
        self.table_name = table_name
        self.stream_arn = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"][
            "LatestStreamArn"
        ]
        self.failure_queue_url = failure_queue_url
        self.checkpoints = checkpoints
        self.iterators: dict[str, str | None] = {}

    def _discover_shards(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], **self._start_of(shard)
                )["ShardIterator"]

    def _start_of(self, shard: dict[str, Any]) -> dict[str, str]:
        """After the last record processed before a restart, while the stream still starts at or before
        the next one; else where the manifest says (a new poller, or a stream begun anew)."""
        reader = self.function.manifest.name
        done = self.checkpoints.get(reader, self.table_name) if self.checkpoints else None
        first = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        if done is not None and done >= first - 1:
            return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": str(done)}
        return {"ShardIteratorType": self.spec.get("startingPosition", "TRIM_HORIZON")}

    def _done_with(self, records: list[dict[str, Any]]) -> None:
        if self.checkpoints is not None and records:
            last = int(records[-1]["dynamodb"]["SequenceNumber"])
            self.checkpoints.set(self.function.manifest.name, self.table_name, last)

    def poll_once(self) -> bool:
        if not self.iterators:
            self._discover_shards()
        busy = False
        for shard_id, iterator in list(self.iterators.items()):
            if iterator is None:
                continue
            response = self.streams.get_records(
                ShardIterator=iterator, Limit=int(self.spec.get("batchSize", 100))
            )
            self.iterators[shard_id] = response.get("NextShardIterator")
            if response["Records"]:
                busy = True
                self._deliver(shard_id, [self._record(record) for record in response["Records"]])
        return busy

    def _record(self, record: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": dynamodb, "eventSourceARN": self.stream_arn}

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        retries = int(self.spec.get("maximumRetryAttempts", 5))
        batch, attempt = records, 0
        while batch and not self.stop.is_set():
            sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
            failed = self._invoke(batch, sequence)
            if not failed:
                self._done_with(records)
                return
            batch = batch[sequence.index(failed[0]) :]  # resume from the earliest failure, as Lambda does
            attempt += 1
            if attempt > retries:
                self._send_to_failure_destination(shard_id, batch, attempt)
                self._done_with(records)
                return
            self.stop.wait(min(MAX_BACKOFF_SECONDS, 0.1 * 2**attempt))

    def _send_to_failure_destination(self, shard_id: str, batch: list[dict[str, Any]], attempts: int) -> None:
        """What Lambda sends on exhausted retries: a description of the batch, not its records."""
        self.function.log.write(f"giving up on {len(batch)} stream records after {attempts} attempts\n")
        if not self.failure_queue_url:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        description = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:local:123456789012:function:{self.function.manifest.name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps(description))


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch is not None else None
