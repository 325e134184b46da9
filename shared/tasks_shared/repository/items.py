"""DynamoDB item encoding, shared by every adapter of ours that reads or writes items or stream images."""

from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tasks_shared.model import Task

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in data.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def task_from_item(item: dict[str, Any]) -> Task:
    """A task from its stored item (DynamoDB JSON), as GetItem and stream images carry it."""
    return Task.from_dict(from_item(item))


def is_condition_failure(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
