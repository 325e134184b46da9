"""SQS: poison messages to the dead-letter queue of the queue they came from."""

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


class DeadLetters:
    """Sends poison messages to their source queue's DLQ, found once per queue from its RedrivePolicy."""

    def __init__(self, sqs_client: Any) -> None:
        self._sqs = sqs_client
        self._dlq_urls: dict[str, str] = {}

    def send(self, record: SQSRecord, reason: str, consumer: str) -> None:
        self._sqs.send_message(
            QueueUrl=self._dlq_url(record.event_source_arn),
            MessageBody=record.body,
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason},
                "consumer": {"DataType": "String", "StringValue": consumer},
                "sourceMessageId": {"DataType": "String", "StringValue": record.message_id},
            },
        )

    def _dlq_url(self, source_arn: str) -> str:
        if source_arn not in self._dlq_urls:
            source_url = self._queue_url(source_arn)
            attributes = self._sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])
            policy = attributes.get("Attributes", {}).get("RedrivePolicy")
            if not policy:
                raise RuntimeError(f"queue {source_arn} has no RedrivePolicy: nowhere to put poison messages")
            self._dlq_urls[source_arn] = self._queue_url(json.loads(policy)["deadLetterTargetArn"])
        return self._dlq_urls[source_arn]

    def _queue_url(self, arn: str) -> str:
        *_, account, name = arn.split(":")
        return self._sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
