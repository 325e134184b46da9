"""The event path end to end on `make dev`: HTTP write → stream → publisher → bus → queues → consumers."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tasks_local.runtime.settings import REPO_ROOT
from tests.support.polling import eventually
from tests.support.samples import load_event

pytestmark = pytest.mark.e2e


def _stats(stack, user):
    return stack.session(user).get(f"{stack.api_url}/stats", timeout=10).json()


def _queue_drained(stack, queue):
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=f"local-tasks-{queue}")["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(attributes[name] == "0" for name in names)


def _make_publish(stack, path):
    result = stack.run(["make", "-s", "--no-print-directory", "publish", f"EVENT={path}"], timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _external_event(tmp_path, owner, name="event.json", **detail_changes):
    event = load_event("samples/eventbridge/external-TaskCreated")
    event["detail"]["task"] |= {"ownerId": owner, "id": str(uuid.uuid4()), "priority": "low"}
    event["detail"]["metadata"]["eventId"] = str(uuid.uuid4())
    event["detail"] |= detail_changes
    path = tmp_path / name
    path.write_text(json.dumps(event))
    return path


def test_a_task_created_over_http_is_counted_within_two_seconds(stack):
    user = f"erin-{uuid.uuid4().hex[:8]}"
    stack.session(user).post(
        f"{stack.api_url}/tasks", json={"title": "count me", "priority": "high"}, timeout=10
    )
    stats = eventually(lambda: (s := _stats(stack, user))["created"] == 1 and s)
    assert stats["byPriority"] == {"low": 0, "medium": 0, "high": 1}


def test_after_racing_writes_and_a_cancelled_transaction_new_tasks_are_still_counted(stack):
    """Writes that lose a race (409/412), a completion whose consumer writes the same item, and a
    script's cancelled transaction on the tasks table must not stop the stream for anyone."""
    user = f"rita-{uuid.uuid4().hex[:8]}"
    session = stack.session(user)
    task = session.post(f"{stack.api_url}/tasks", json={"title": "raced"}, timeout=10)
    url, etag = f"{stack.api_url}/tasks/{task.json()['id']}", task.headers["ETag"]
    with ThreadPoolExecutor(4) as pool:
        racing = [
            pool.submit(
                session.put, url, json={"title": f"racer {n}"}, headers={"If-Match": etag}, timeout=10
            )
            for n in range(8)
        ]
        racing.append(pool.submit(session.put, url, json={"status": "completed"}, timeout=10))
        codes = sorted(future.result().status_code for future in racing)
    assert set(codes) <= {200, 409, 412}, codes
    assert 412 in codes or 409 in codes, codes
    with pytest.raises(ClientError, match="TransactionCanceled"):
        stack.client("dynamodb").transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "local-tasks-tasks", "Item": {"id": {"S": f"script-{user}"}}}},
                {
                    "ConditionCheck": {
                        "TableName": "local-tasks-tasks",
                        "Key": {"id": {"S": "no-such-task"}},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )

    session.post(f"{stack.api_url}/tasks", json={"title": "after the races"}, timeout=10)

    assert eventually(lambda: _stats(stack, user)["created"] == 2, timeout=5)


def test_update_and_completion_reach_history_counters_and_the_archive(stack):
    user = f"frank-{uuid.uuid4().hex[:8]}"
    session = stack.session(user)
    task = session.post(f"{stack.api_url}/tasks", json={"title": "ship it"}, timeout=10).json()
    url = f"{stack.api_url}/tasks/{task['id']}"
    session.put(url, json={"title": "ship it today"}, timeout=10)
    session.put(url, json={"status": "completed"}, timeout=10)

    def history():
        items = session.get(f"{url}/history", timeout=10).json()["items"]
        return items if len(items) == 3 else None

    items = eventually(history)
    assert [item["type"] for item in items] == ["updated", "updated", "created"]
    status_change = next(c for c in items[0]["changes"] if c["field"] == "status")
    assert (status_change["previous"], status_change["current"]) == ("pending", "completed")
    assert eventually(lambda: _stats(stack, user)["completed"] == 1)
    s3 = stack.client("s3")

    def archived():
        listing = s3.list_objects_v2(Bucket="local-tasks-archive", Prefix=f"tasks/{user}/")
        return listing.get("Contents")

    assert eventually(archived)
    snapshot = json.loads(
        s3.get_object(Bucket="local-tasks-archive", Key=f"tasks/{user}/{task['id']}.json")["Body"].read()
    )
    assert json.dumps(snapshot).count("ship it today") >= 1


def test_the_same_event_published_twice_counts_once(stack, tmp_path):
    owner = f"grace-{uuid.uuid4().hex[:8]}"
    path = _external_event(tmp_path, owner)
    first, second = _make_publish(stack, path), _make_publish(stack, path)
    assert first["FailedEntryCount"] == second["FailedEntryCount"] == 0
    assert eventually(lambda: _stats(stack, owner)["created"] >= 1)
    assert eventually(lambda: _queue_drained(stack, "task-created"), timeout=5)
    assert _stats(stack, owner)["created"] == 1


def test_an_invalid_event_reaches_the_dlq_and_later_events_still_flow(stack, tmp_path):
    sqs = stack.client("sqs")
    dlq = sqs.get_queue_url(QueueName="local-tasks-task-created-dlq")["QueueUrl"]

    def dead_letters():
        response = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        return response.get("Messages")

    _make_publish(stack, REPO_ROOT / "events/samples/eventbridge/invalid-TaskCreated.json")
    messages = eventually(dead_letters, timeout=5)
    assert messages, "the invalid event did not reach the DLQ"
    owner = f"heidi-{uuid.uuid4().hex[:8]}"
    _make_publish(stack, _external_event(tmp_path, owner))
    assert eventually(lambda: _stats(stack, owner)["created"] == 1)


# --- the helper commands' mistakes: one clear line, never a traceback -------------------------------


def test_invoking_a_function_with_the_wrong_kind_of_event_is_a_function_error(stack):
    result = stack.run(
        ["make", "-s", "--no-print-directory", "invoke", "FN=task-created", "EVENT=events/api/health.json"]
    )
    assert result.returncode != 0
    assert set(json.loads(result.stdout)) == {"errorType", "errorMessage"}  # as `aws lambda invoke` shows
    assert "Traceback" not in result.stderr


def test_publishing_something_that_is_not_an_eventbridge_event_says_so(stack):
    result = stack.run(
        ["make", "-s", "--no-print-directory", "publish", "EVENT=events/samples/sqs/task-created.json"]
    )
    assert result.returncode != 0
    assert "is not an event as EventBridge delivers it (no source, detail-type, detail)" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_helpers_talk_to_the_stack_on_their_aws_port(stack):
    ours = stack.run(["make", "-s", "--no-print-directory", "queues"])
    elsewhere = stack.run(["make", "-s", "--no-print-directory", "queues", "AWS_PORT=1"])
    assert ours.returncode == 0
    assert "local-tasks-task-created" in ours.stdout
    assert elsewhere.returncode != 0
    assert "no local stack was started here on AWS_PORT=1" in elsewhere.stderr
