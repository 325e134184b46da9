"""The batch loop every consumer shares (tasks_shared.usecases.consumer) on in-memory fakes: what it
records, dead-letters, counts and logs for each record of an SQS batch."""

import io
import json
import logging
import uuid
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics

from tasks_shared.adapters.memory import InMemoryActivity, RecordingDeadLetters
from tasks_shared.domain.events import RejectedEvent, TaskEvent
from tasks_shared.usecases.consumer import EventConsumer, NotifyingDependencies, batch_handler
from tests.support.samples import load_event

SAMPLE = load_event("samples/sqs/task-created")["Records"][0]
EVENT_ID = "ad124865-ab68-432a-8971-bdf5df6f8729"
TASK_ID = "0b5e4a8e-6f0e-4c83-9a3f-2f1a4b6c7d8e"
CORRELATION_ID = "aa645592-d7b7-46b5-90d6-5d789a13cc04"


def _record(message_id: str, body: str | None = None, **detail: Any) -> dict[str, Any]:
    """The sample TaskCreated record, under its own message id, with another body or detail."""
    event = json.loads(SAMPLE["body"])
    event["detail"] |= detail
    return SAMPLE | {"messageId": message_id, "body": body if body is not None else json.dumps(event)}


def _batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


class Recorder:
    """The consumer's own work: what it was given, and what it answers (recorded, or found recorded)."""

    def __init__(self, answer: bool = True, fail: Exception | None = None) -> None:
        self.events: list[TaskEvent] = []
        self.answer, self.fail = answer, fail

    def __call__(self, event: TaskEvent) -> bool:
        self.events.append(event)
        if self.fail is not None:
            raise self.fail
        return self.answer


class Consumer:
    """An EventConsumer whose log lines and metrics the test reads."""

    def __init__(self, name: str, process: Recorder) -> None:
        self.stream = io.StringIO()
        self.activity, self.dead_letters, self.process = InMemoryActivity(), RecordingDeadLetters(), process
        self.metrics = Metrics(namespace="Tests", service=name)
        self.logger = Logger(service=name, logger_handler=logging.StreamHandler(self.stream))
        self.consumer = EventConsumer(
            name="task-created",
            accepts="TaskCreated",
            process=process,
            history=lambda _event: (),
            activity=self.activity,
            dead_letters=self.dead_letters,
            logger=self.logger,
            metrics=self.metrics,
        )

    def handle(self, *records: dict[str, Any]) -> dict[str, Any]:
        return self.consumer.handle(_batch(*records))

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def metric(self, name: str) -> tuple[str, list[float]] | None:
        found = self.metrics.metric_set.get(name)
        return (found["Unit"], found["Value"]) if found else None


def _service() -> str:
    """A service name of its own: Powertools configures a logger once per name and process, so a second
    Logger of the same name would write through the first one's handler."""
    return f"consumer-under-test-{uuid.uuid4().hex}"


@pytest.fixture
def make_consumer():
    made: list[Consumer] = []

    def make(process: Recorder | None = None) -> Consumer:
        made.append(Consumer(_service(), process or Recorder()))
        made[-1].metrics.clear_metrics()
        return made[-1]

    yield make
    for consumer in made:
        consumer.metrics.clear_metrics()


def test_an_event_is_handed_to_the_consumer_with_its_record_left_succeeded(make_consumer):
    consumer = make_consumer()

    assert consumer.handle(_record("m-1")) == {"batchItemFailures": []}

    [event] = consumer.process.events
    assert (event.event_id, event.task.id) == (EVENT_ID, TASK_ID)
    assert consumer.metric("DuplicateEvents") is None


def test_an_event_processed_before_is_skipped_counted_and_logged(make_consumer):
    consumer = make_consumer()
    consumer.activity.record_once(EVENT_ID, "task-created")

    assert consumer.handle(_record("m-1")) == {"batchItemFailures": []}

    assert consumer.process.events == []
    assert consumer.metric("DuplicateEvents") == ("Count", [1.0])
    [line] = consumer.lines
    assert (line["level"], line["message"]) == ("INFO", "event already processed; skipped")


def test_an_event_whose_commit_found_it_recorded_is_a_duplicate_too(make_consumer):
    """Two deliveries raced: the other one committed first."""
    consumer = make_consumer(Recorder(answer=False))
    consumer.handle(_record("m-1"))
    assert consumer.metric("DuplicateEvents") == ("Count", [1.0])


def test_each_line_about_a_record_names_its_event_its_task_and_its_correlation(make_consumer):
    consumer = make_consumer()
    consumer.activity.record_once(EVENT_ID, "task-created")

    consumer.handle(_record("m-1"))

    [line] = consumer.lines
    assert (line["event_id"], line["task_id"], line["correlation_id"]) == (EVENT_ID, TASK_ID, CORRELATION_ID)


def test_a_records_keys_leave_the_log_with_it(make_consumer):
    consumer = make_consumer()
    consumer.handle(_record("m-1"))
    consumer.logger.info("after the batch")

    [line] = consumer.lines
    assert not {"event_id", "task_id"} & line.keys()
    assert line.get("correlation_id") is None


def test_a_poison_record_goes_to_the_dead_letters_once_with_its_reason_counted_and_logged(make_consumer):
    consumer = make_consumer()

    response = consumer.handle(_record("m-poison", body="{not json"))

    assert response == {"batchItemFailures": []}  # handled: retrying cannot fix it
    assert consumer.dead_letters.sent == [("m-poison", "the body is not JSON", "task-created")]
    assert consumer.metric("EventsRejected") == ("Count", [1.0])
    [line] = consumer.lines
    assert (line["level"], line["message"], line["reason"], line["message_id"]) == (
        "WARNING",
        "event rejected to the dead-letter queue",
        "the body is not JSON",
        "m-poison",
    )


def test_data_the_consumer_cannot_act_on_is_dead_lettered_with_its_reason(make_consumer):
    consumer = make_consumer(Recorder(fail=RejectedEvent("no owner to count for")))

    assert consumer.handle(_record("m-1")) == {"batchItemFailures": []}

    assert consumer.dead_letters.sent == [("m-1", "no owner to count for", "task-created")]
    assert consumer.metric("EventsRejected") == ("Count", [1.0])


@pytest.mark.parametrize(
    ("length", "kept"), [(1024, "r" * 1024), (1025, "r" * 1023 + "…"), (5000, "r" * 1023 + "…")]
)
def test_a_reason_is_kept_to_1024_characters_marked_where_it_was_cut(make_consumer, length, kept):
    consumer = make_consumer(Recorder(fail=RejectedEvent("r" * length)))
    consumer.handle(_record("m-1"))
    [(_, reason, _)] = consumer.dead_letters.sent
    assert reason == kept
    assert consumer.lines[-1]["reason"] == kept


def test_a_failing_record_is_retried_alone_and_logged_with_its_message_id(make_consumer):
    consumer = make_consumer(Recorder(fail=RuntimeError("DynamoDB is throttling")))

    response = consumer.handle(_record("m-1"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    [line] = consumer.lines
    assert (line["level"], line["message"], line["message_id"]) == (
        "ERROR",
        "record failed; SQS will retry it",
        "m-1",
    )
    assert "DynamoDB is throttling" in line["exception"]


def test_a_batch_whose_every_record_fails_is_reported_not_raised(make_consumer):
    """SQS redelivers the same messages either way; each failure is logged already."""
    consumer = make_consumer(Recorder(fail=RuntimeError("down")))

    response = consumer.handle(_record("m-1"), _record("m-2"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]}


# --- batch_handler: a consumer's Lambda entry point ------------------------------------------------


def _handler(process, default_dependencies=None):
    service = _service()
    return batch_handler(
        name="task-created",
        accepts="TaskCreated",
        process=process,
        default_dependencies=default_dependencies,
        logger=Logger(service=service, logger_handler=logging.StreamHandler(io.StringIO())),
        metrics=Metrics(namespace="Tests", service=service),
    )


def _dependencies() -> NotifyingDependencies:
    return NotifyingDependencies(InMemoryActivity(), None, RecordingDeadLetters())


def test_a_handler_runs_each_event_of_the_batch_through_the_consumer_with_its_dependencies():
    given, seen = _dependencies(), []
    handle = _handler(lambda event, deps: seen.append((event.event_id, deps)) or True)

    response = handle(_batch(_record("m-1"), _record("m-2", body="{not json")), None, given)

    assert response == {"batchItemFailures": []}
    assert seen == [(EVENT_ID, given)]
    assert given.dead_letters.sent == [("m-2", "the body is not JSON", "task-created")]


def test_a_handler_reads_processed_markers_under_its_own_name():
    given = _dependencies()
    given.activity.record_once(EVENT_ID, "task-created")
    seen = []
    handle = _handler(lambda event, deps: seen.append(event) or True)

    handle(_batch(_record("m-1")), None, given)

    assert seen == []


def test_a_handler_given_no_dependencies_builds_the_default_ones():
    built, seen = _dependencies(), []
    handle = _handler(lambda event, deps: seen.append(deps) or True, lambda: built)

    handle(_batch(_record("m-1")), None)

    assert seen == [built]
