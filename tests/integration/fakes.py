"""Test doubles wrapping real (moto) clients, shared by the integration tests."""

import json
from typing import Any

from botocore.exceptions import ClientError

ALWAYS = 10**6


class FlakyEvents:
    """The real events client, except that chosen entries fail their first attempts.

    `failures` maps a task id or a detail-type to how many attempts its entries fail (ALWAYS: every
    one); they come back as EventBridge reports a partial failure: ErrorCode InternalFailure and a
    FailedEntryCount.
    `throttled_calls` whole calls fail first, with ThrottlingException.
    """

    def __init__(self, client: Any, failures: dict[str, int] | None = None, throttled_calls: int = 0) -> None:
        self._client = client
        self._failures = dict(failures or {})
        self._throttled_calls = throttled_calls
        self.calls: list[list[str]] = []  # each call's task ids, in order

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        task_ids = [json.loads(entry["Detail"])["task"]["id"] for entry in Entries]
        self.calls.append(task_ids)
        if self._throttled_calls:
            self._throttled_calls -= 1
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise ClientError(error, "PutEvents")
        failing = [
            self._should_fail(task_id) or self._should_fail(entry["DetailType"])
            for task_id, entry in zip(task_ids, Entries, strict=True)
        ]
        passing = [entry for entry, fails in zip(Entries, failing, strict=True) if not fails]
        delivered = iter(self._client.put_events(Entries=passing)["Entries"] if passing else [])
        failure = {"ErrorCode": "InternalFailure", "ErrorMessage": "Internal service error"}
        results = [failure if fails else next(delivered) for fails in failing]
        return {"FailedEntryCount": sum(failing), "Entries": results}

    def _should_fail(self, key: str) -> bool:
        left = self._failures.get(key, 0)
        self._failures[key] = max(left - 1, 0)
        return left > 0
