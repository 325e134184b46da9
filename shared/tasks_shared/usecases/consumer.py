"""The SQS batch loop every event consumer shares (EventBridge rule → SQS queue → Lambda).

Per record, with Powertools' BatchProcessor and ReportBatchItemFailures:

1. **Validate.** The body must be an EventBridge event of the detail-type this consumer accepts whose
   detail satisfies its schema in the event catalog. Anything else (bad JSON, a wrong or unknown
   detail-type, schema problems, or a `RejectedEvent` the consumer raises for data it cannot act on)
   is *poison*: retrying cannot fix it. It is logged as one warning line with the reason, sent at once
   to the queue's DLQ (found from the source queue's RedrivePolicy) with the reason in message
   attributes and the body unchanged, and counted as handled so it never blocks the batch.
2. **Skip duplicates early.** Delivery is at least once. If this consumer's receipt of the event is
   stored (its first audit entry of the event, or a processed-event marker when it keeps counters
   alone: `domain.activity.receipt`), the record is done without touching anything.
3. **Act.** The consumer's function first does its side effects that are idempotent (an S3 put of the
   same key, a conditional write that checks whether it is already done) or acceptably at least once
   (an SNS notification), then commits its counters/history with `ActivityStore.record_once`, whose
   receipt is written only if absent, last or in the same transaction as the counters. A crash or
   error before the commit means a retry redoes only that idempotent work; a commit that finds the
   receipt already there (two deliveries raced) changes nothing. So counters and the audit trail
   change exactly once per event, and notifications go out at least once.
4. **Fail one, not all.** Any other exception becomes a batch item failure: SQS redelivers that one
   message after its visibility timeout, and its redrive policy dead-letters it after maxReceiveCount.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tasks_shared.domain.activity import HistoryEntry, receipt
from tasks_shared.domain.events import RejectedEvent, TaskEvent, parse_event
from tasks_shared.usecases.ports import ActivityStore, DeadLetterSink, Notifier

_MAX_REASON = 1024  # a message attribute value, kept readable; the log line has the same text
_RECORD_KEYS = ("event_id", "task_id")  # logged with every line about a record, once it is parsed


class EventConsumer:
    """Runs one SQS batch through `process`; see the module docstring for the order of effects.

    `process` returns True when it recorded the event, False when its commit found it already recorded.
    `history` gives the audit entries it records for an event (none for a consumer of counters alone):
    their first is the event's receipt.
    """

    def __init__(
        self,
        *,
        name: str,
        accepts: str,
        process: Callable[[TaskEvent], bool],
        history: Callable[[TaskEvent], Sequence[HistoryEntry]],
        activity: ActivityStore,
        dead_letters: DeadLetterSink,
        logger: Logger,
        metrics: Metrics,
    ) -> None:
        self.name = name
        self._accepts = accepts
        self._process = process
        self._history = history
        self._activity = activity
        self._dead_letters = dead_letters
        self._logger = logger
        self._metrics = metrics

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        # A batch where every record failed is reported like any other (all ids listed), not raised:
        # SQS redelivers the same messages either way, and each failure has already been logged.
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(event=event, record_handler=self._record, processor=processor)

    def _record(self, record: SQSRecord) -> None:
        try:
            self._handle_record(record)
        except Exception:
            self._logger.exception("record failed; SQS will retry it", message_id=record.message_id)
            raise
        finally:
            self._logger.remove_keys(_RECORD_KEYS)
            self._logger.set_correlation_id(None)

    def _handle_record(self, record: SQSRecord) -> None:
        try:
            task_event = parse_event(record.body, self._accepts)
        except RejectedEvent as rejected:
            self._reject(record, rejected.reason)
            return
        self._logger.append_keys(event_id=task_event.event_id, task_id=task_event.task.id)
        self._logger.set_correlation_id(task_event.metadata["correlationId"])
        try:
            proof = receipt(task_event.event_id, self.name, self._history(task_event))
            if self._activity.is_recorded(proof):
                self._duplicate()
            elif not self._process(task_event):
                self._duplicate()  # another delivery of the same event committed first
        except RejectedEvent as rejected:
            self._reject(record, rejected.reason)

    def _duplicate(self) -> None:
        self._logger.info("event already processed; skipped")
        self._metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)

    def _reject(self, record: SQSRecord, reason: str) -> None:
        reason = reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"
        self._logger.warning(
            "event rejected to the dead-letter queue", reason=reason, message_id=record.message_id
        )
        self._dead_letters.send(record, reason, self.name)
        self._metrics.add_metric(name="EventsRejected", unit=MetricUnit.Count, value=1)


@dataclass(frozen=True)
class NotifyingDependencies:
    """What a consumer that records activity and notifies assignees needs (task-created, task-updated)."""

    activity: ActivityStore
    notifier: Notifier
    dead_letters: DeadLetterSink


def batch_handler(
    *,
    name: str,
    accepts: str,
    process: Callable[[TaskEvent, Any], bool],
    default_dependencies: Callable[[], Any],
    logger: Logger,
    metrics: Metrics,
    history: Callable[[TaskEvent], Sequence[HistoryEntry]] = lambda _event: (),
) -> Callable[..., dict[str, Any]]:
    """A consumer's `handle(event, context, deps=None)`: one SQS batch through `process(event, deps)`,
    which records `history(event)` (see EventConsumer).

    `deps` (with `activity` and `dead_letters`) defaults to the real adapters, built once per
    container; tests pass their own instead of patching.
    """

    def handle(event: dict[str, Any], context: Any, deps: Any = None) -> dict[str, Any]:
        # `context` is Lambda's; the batch needs nothing of it (Powertools would hand it only to a
        # record handler that asks for one).
        deps = deps or default_dependencies()
        consumer = EventConsumer(
            name=name,
            accepts=accepts,
            process=lambda task_event: process(task_event, deps),
            history=history,
            activity=deps.activity,
            dead_letters=deps.dead_letters,
            logger=logger,
            metrics=metrics,
        )
        return consumer.handle(event)

    return handle
