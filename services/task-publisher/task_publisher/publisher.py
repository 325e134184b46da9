"""PutEvents for a batch of stream records: chunked, retrying only what failed, never losing an entry.

What still fails after the retries is reported back to Lambda as the earliest record with a failed
entry: for a stream, Lambda resumes from that record, so it and every later record come again
(consumers deduplicate on eventId) and nothing before it is re-sent.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.exceptions import BotoCoreError, ClientError

from task_publisher import logger, metrics, tracer
from task_publisher.events import DomainEvent, UnpublishableRecord, events_for

MAX_ENTRIES_PER_CALL = 10  # PutEvents limits: entries per call and total size of the entries
MAX_REQUEST_BYTES = 256 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter. The defaults bound the sleeping of one invocation to
    0.2 + 0.4 + 0.8 = 1.4 s whatever the batch size (a retry round re-sends every failed entry at
    once), well inside the function's 30 s timeout; Lambda's own retries of the record come after."""

    max_attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 2.0

    def delay(self, retry: int, jitter: Callable[[float, float], float]) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        return jitter(0, min(self.max_delay, self.base_delay * 2 ** (retry - 1)))


@dataclass(frozen=True)
class _Outgoing:
    position: int  # of its record in the batch
    sequence_number: str
    event: DomainEvent
    entry: dict[str, Any]
    error_code: str | None = None
    error_message: str | None = None


class EventPublisher:
    def __init__(
        self,
        client: Any,
        bus_name: str,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._client = client
        self._bus_name = bus_name
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter

    @tracer.capture_method
    def publish(self, records: Sequence[DynamoDBRecord]) -> str | None:
        """Publish the events of `records` (one shard's batch, in order).

        Returns the SequenceNumber of the earliest record not fully published, None when all were.
        """
        outgoing, unpublishable = self._events(records)
        undelivered = self._send(outgoing)
        metrics.add_metric(
            name="EventsPublished", unit=MetricUnit.Count, value=len(outgoing) - len(undelivered)
        )
        for item in undelivered:
            logger.error(
                "event not published",
                event_id=item.event.event_id,
                detail_type=item.event.detail_type,
                task_id=item.event.task_id,
                sequence_number=item.sequence_number,
                error_code=item.error_code,
                error_message=item.error_message,
                attempts=self._policy.max_attempts,
            )
        if undelivered:
            metrics.add_metric(name="EventsFailed", unit=MetricUnit.Count, value=len(undelivered))
        failed = sorted(unpublishable | {item.position for item in undelivered})
        if not failed:
            return None
        earliest = records[failed[0]].dynamodb.sequence_number
        logger.warning(
            "batch partly published; Lambda resumes from the earliest failed record",
            records=len(records),
            failed_records=len(failed),
            resume_from=earliest,
        )
        return earliest

    def _events(self, records: Sequence[DynamoDBRecord]) -> tuple[list[_Outgoing], set[int]]:
        outgoing: list[_Outgoing] = []
        unpublishable: set[int] = set()
        for position, record in enumerate(records):
            sequence_number = record.dynamodb.sequence_number if record.dynamodb else None
            try:
                events = [
                    _Outgoing(position, sequence_number, event, event.entry(self._bus_name))
                    for event in events_for(record)
                ]
            except UnpublishableRecord as exc:
                # Reported as failed: Lambda retries it, then sends it to the on-failure destination.
                unpublishable.add(position)
                logger.error(
                    "stream record cannot be published",
                    stream_event_id=record.event_id,
                    sequence_number=sequence_number,
                    reason=str(exc),
                )
                continue
            outgoing.extend(events)
        if unpublishable:
            metrics.add_metric(name="UnpublishableRecords", unit=MetricUnit.Count, value=len(unpublishable))
        return outgoing, unpublishable

    def _send(self, outgoing: list[_Outgoing]) -> list[_Outgoing]:
        """Send everything, then re-send only the failed entries; returns what never got through."""
        pending = outgoing
        for attempt in range(1, self._policy.max_attempts + 1):
            if not pending:
                break
            if attempt > 1:
                codes = Counter(item.error_code for item in pending)
                logger.warning(
                    "retrying failed entries", attempt=attempt, entries=len(pending), errors=dict(codes)
                )
                metrics.add_metric(name="EventRetries", unit=MetricUnit.Count, value=len(pending))
                self._sleep(self._policy.delay(attempt - 1, self._jitter))
            pending = [failure for chunk in _chunks(pending) for failure in self._put(chunk)]
        return pending

    def _put(self, chunk: list[_Outgoing]) -> list[_Outgoing]:
        """One PutEvents call; returns the entries that failed, each with its error."""
        try:
            response = self._client.put_events(Entries=[item.entry for item in chunk])
        except ClientError as exc:
            # The whole call failed (throttled, bus missing, denied...): so did each of its entries.
            error = exc.response.get("Error", {})
            return [
                replace(item, error_code=error.get("Code"), error_message=error.get("Message"))
                for item in chunk
            ]
        except BotoCoreError as exc:
            return [replace(item, error_code=type(exc).__name__, error_message=str(exc)) for item in chunk]
        failures = []
        for item, result in zip(chunk, response["Entries"], strict=True):
            if result.get("ErrorCode"):
                failures.append(
                    replace(item, error_code=result["ErrorCode"], error_message=result.get("ErrorMessage"))
                )
            else:
                logger.debug(
                    "event published",
                    event_id=item.event.event_id,
                    detail_type=item.event.detail_type,
                    task_id=item.event.task_id,
                    bus_event_id=result.get("EventId"),
                )
        return failures


def _chunks(items: list[_Outgoing]) -> Iterable[list[_Outgoing]]:
    """Consecutive runs of at most 10 entries and 256 KiB, the PutEvents request limits."""
    chunk: list[_Outgoing] = []
    size = 0
    for item in items:
        item_size = entry_size(item.entry)
        if chunk and (len(chunk) == MAX_ENTRIES_PER_CALL or size + item_size > MAX_REQUEST_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk


def entry_size(entry: dict[str, Any]) -> int:
    """An entry's size as EventBridge counts it (docs: "Calculating PutEvents event entry size")."""
    text = (entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", ""))
    resources = entry.get("Resources", [])
    return (14 if "Time" in entry else 0) + sum(len(part.encode()) for part in (*text, *resources))
