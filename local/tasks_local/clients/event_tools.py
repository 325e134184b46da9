"""`make publish`, `make invoke` and `make queues`: a developer's direct pokes at the running stack (an
event on its bus, one function invoked with an event file, the queues' depths and dead letters)."""

import json
import os
import sys
from pathlib import Path
from typing import Any

import boto3

from tasks_local.clients.stack import StackNotRunning, running_stack, use_stack
from tasks_local.runtime.functions import LocalFunction
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.settings import LocalSettings


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON ({exc})") from exc


def publish(settings: LocalSettings, event_path: str) -> int:
    """Put an event, in the shape EventBridge delivers it, on the local bus as an external publisher would."""
    stack = running_stack(settings)
    use_stack(settings, stack)
    event = _read_json(event_path)
    missing = [
        key for key in ("source", "detail-type", "detail") if not isinstance(event, dict) or key not in event
    ]
    if missing:
        raise ValueError(
            f"{event_path} is not an event as EventBridge delivers it (no {', '.join(missing)}); "
            "see events/samples/eventbridge/"
        )
    entry = {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"]),
        "Resources": event.get("resources", []),
        "EventBusName": stack["names"]["bus"]["name"],
    }
    result = boto3.client("events").put_events(Entries=[entry])
    print(
        json.dumps({"FailedEntryCount": result["FailedEntryCount"], "Entries": result["Entries"]}, indent=2)
    )
    return 1 if result["FailedEntryCount"] else 0


def invoke(settings: LocalSettings, function_name: str, event_path: str) -> int:
    """Invoke one function with an event file against the running stack; the response goes to stdout,
    the function's logs to stderr."""
    stack = running_stack(settings)
    use_stack(settings, stack)
    manifests = load_all(stack["names"])
    if function_name not in manifests:
        raise StackNotRunning(f"no function {function_name!r}; functions: {', '.join(sorted(manifests))}")
    manifest = manifests[function_name]
    os.environ.update(manifest.environment)
    event = _read_json(event_path)
    try:
        result = LocalFunction(manifest, log_stream=sys.stderr).invoke(event)
    except Exception as exc:  # what `aws lambda invoke` shows for a function error, and its exit status
        print(json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}, indent=2))
        print(f"error: {function_name} failed on {event_path} (see the response above)", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def queues(settings: LocalSettings) -> int:
    """Each queue's depth, and for every dead-letter queue that holds messages, why they are there."""
    stack = running_stack(settings)
    use_stack(settings, stack)
    sqs = boto3.client("sqs")
    prefix = stack["names"]["bus"]["name"].removesuffix("-bus")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    print(f"{'queue':<42} {'waiting':>8} {'in flight':>10}")
    for url in sorted(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])):
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        name = url.rsplit("/", 1)[-1]
        print(f"{name:<42} {counts[names[0]]:>8} {counts[names[1]]:>10}")
        if name.endswith("-dlq") and counts[names[0]] != "0":
            # Peek: visibility 0 leaves the messages where they are for the next look.
            peeked = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
            )
            for message in peeked.get("Messages", []):
                reason = (
                    message.get("MessageAttributes", {}).get("reason", {}).get("StringValue", "(no reason)")
                )
                print(f"    {message['MessageId']}: {reason}")
    return 0
