"""moto's SQS without its O(queue) work for each message received.

Why, measured on moto 5.2.5 in-process (bench/emulator/sqs.py): ReceiveMessage checks each message it
returns against the queue's retention period by asking for the queue's attributes, and building them
counts the queue's messages three times (visible, in flight, delayed); reading one attribute builds
them three times over. So receiving 10 messages from a queue of 1,000 took ~1.4 s, and a burst of
events (`make seed`) drained at a few messages a second. A SendMessage builds them once (its
content-based-deduplication check): ~50 ms at 1,000.

What it does: the retention check reads the queue's retention period itself (O(1)), and the queue's
attributes count its messages in one pass. Answers are moto's (tests/local/test_moto_sqs.py).
Sending, receiving and deleting still walk the queue once each, as moto does. Pinned to one moto
version, like tasks_local.moto_fixes.dynamodb (tests/local/test_moto_pin.py).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.utils import camelcase_to_underscores, unix_time
from moto.sqs.models import Message, Queue, SQSBackend

from tasks_local.moto_fixes.patches import MotoPatches, Replacement

MOTO_VERSION = "5.2.5"

# What this module replaces or relies on, checked against the source recorded in test_moto_pin.py.
RELIED_ON: dict[str, tuple[Any, str]] = {
    "Queue.attributes": (
        Queue.attributes.fget,
        "_attributes builds the same dict: the three counts in one pass, the rest as moto reads them",
    ),
    "Queue.approximate_number_of_messages": (
        Queue.approximate_number_of_messages.fget,
        "counts the visible messages that are not delayed (Queue.messages)",
    ),
    "Queue.approximate_number_of_messages_not_visible": (
        Queue.approximate_number_of_messages_not_visible.fget,
        "counts the messages that are not visible",
    ),
    "Queue.approximate_number_of_messages_delayed": (
        Queue.approximate_number_of_messages_delayed.fget,
        "counts the delayed messages",
    ),
    "SQSBackend.is_message_valid_based_on_retention_period": (
        SQSBackend.is_message_valid_based_on_retention_period,
        "_within_retention gives the same answer from the queue's message_retention_period",
    ),
}

_COUNTED = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
}
_NAMES = {
    attribute: camelcase_to_underscores(attribute)
    for attribute in (*Queue.BASE_ATTRIBUTES, *Queue.FIFO_ATTRIBUTES, *Queue.KMS_ATTRIBUTES)
}


def _counts(queue: Queue) -> dict[str, int]:
    visible = not_visible = delayed = 0
    for message in queue._messages:  # the list moto's own counts walk
        is_visible, is_delayed = message.visible, message.delayed
        visible += is_visible and not is_delayed
        not_visible += not is_visible
        delayed += is_delayed
    return {
        "ApproximateNumberOfMessages": visible,
        "ApproximateNumberOfMessagesNotVisible": not_visible,
        "ApproximateNumberOfMessagesDelayed": delayed,
    }


def _attributes(queue: Queue) -> dict[str, Any]:
    """moto's Queue.attributes, counting the messages once instead of three times."""
    counts = _counts(queue)
    names = list(queue.BASE_ATTRIBUTES)
    if queue.fifo_queue:
        names += queue.FIFO_ATTRIBUTES
    if queue.kms_master_key_id:  # type: ignore[attr-defined]
        names += queue.KMS_ATTRIBUTES
    result = {name: counts[name] if name in _COUNTED else getattr(queue, _NAMES[name]) for name in names}
    if queue.policy:
        result["Policy"] = queue.policy
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy)
    return {key: str(value).lower() if isinstance(value, bool) else value for key, value in result.items()}


def _within_retention(self: SQSBackend, queue_name: str, message: Message) -> bool:
    retention_period = self.get_queue(queue_name).message_retention_period
    return retention_period + message.sent_timestamp / 1000 > unix_time()  # type: ignore[operator]


def _replacements() -> list[Replacement]:
    return [
        (Queue, "attributes", property(_attributes)),
        (SQSBackend, "is_message_valid_based_on_retention_period", _within_retention),
    ]


# Installed by embedded_aws.patch_moto (the runtime); `PATCHES.installed(False)` compares with moto as it is.
PATCHES = MotoPatches(__name__, MOTO_VERSION, _replacements)
