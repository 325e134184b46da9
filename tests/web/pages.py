"""What people do in the web app, as steps the browser tests share: open a tab, sign in through the local
identity provider's picker, read the approvers' notifications."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.support.polling import eventually

NOTIFICATION_DEADLINE = 5.0  # the workflow publishes within a second of the request; five is generous
UI_TIMEOUT_MS = 10_000
MAX_QUEUE_PAGES = 50


@dataclass
class Tab:
    """A page in a context of its own (a fresh sessionStorage, as a new browser tab opened from a mail),
    with everything it printed to the console and every URL it asked for."""

    page: Any
    console: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Any, url: str, **context: Any) -> "Tab":
        page = browser.new_context(**{"viewport": {"width": 1100, "height": 760}, **context}).new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        tab = cls(page)
        page.on("console", lambda message: tab.console.append(message.text))
        page.on("pageerror", lambda error: tab.console.append(f"page error: {error}"))
        page.on("request", lambda request: tab.requested.append(request.url))
        page.goto(url)
        return tab

    def sign_in(self, user: str, *groups: str) -> "Tab":
        """Through the app's Sign in button and the identity provider's picker, back to where it was."""
        page = self.page
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("User name").fill(user)
        for group in groups:
            page.get_by_label(f"{group}:").check()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text(f"Signed in as {user}").wait_for()
        page.locator("main h1").wait_for()
        return self

    def storage(self) -> dict[str, dict[str, str]]:
        return self.page.evaluate(
            "() => ({local: {...localStorage}, session: {...sessionStorage}, cookies: document.cookie})"
        )

    def close(self) -> None:
        self.page.context.close()


def find_in_queue(page: Any, title: str, turn: Callable[[Any], None] = lambda button: button.click()) -> Any:
    """The queue's link to `title`, turning its pages (oldest request first) until it shows, as an approver
    does when other requests wait before it; `turn` presses "Next page" (a click, or the keyboard)."""
    link = page.get_by_role("link", name=title, exact=True)
    first_cells = page.locator("tbody tr td:first-child")
    for _ in range(MAX_QUEUE_PAGES):
        expect(page.get_by_role("heading", name="Approval requests")).to_be_visible()
        if link.count():
            return link.first
        following = page.get_by_role("button", name="Next page")
        assert following.count(), f"{title!r} is not in the queue"
        top = first_cells.first.inner_text()
        turn(following)
        expect(first_cells.first).not_to_have_text(top)
    raise AssertionError(f"{title!r} is not in the first {MAX_QUEUE_PAGES} pages of the queue")


def stack_names(stack: Any) -> dict[str, Any]:
    """The names `make dev` gave the stack's resources (its stack file)."""
    return json.loads((stack.state_dir / f"stack-{urlparse(stack.aws_url).port}.json").read_text())["names"]


class Inbox:
    """An SQS queue subscribed to the approvers' topic: what the workflow told the approvers."""

    def __init__(self, stack: Any, name: str) -> None:
        self.sqs = stack.client("sqs")
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]
        topic = stack_names(stack)["topics"]["approvals"]
        stack.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["QueueArn"])
        self.received: list[str] = []  # every message body, for searching

    def notification(self, task_id: str) -> dict[str, Any] | None:
        """The notification about `task_id`, waiting for it up to the deadline."""

        def found() -> dict[str, Any] | None:
            received = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
            for message in received.get("Messages", []):
                self.received.append(message["Body"])
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
            notes = [json.loads(json.loads(body)["Message"]) for body in self.received]
            return next((note for note in notes if note["taskId"] == task_id), None)

        return eventually(found, NOTIFICATION_DEADLINE)


def create_high(stack: Any, owner: str, **fields: Any) -> dict[str, Any]:
    """A task that asks for approval, created through the API as its owner."""
    body = {"title": "Rotate the production signing keys", "priority": "high", **fields}
    response = stack.session(owner).post(f"{stack.api_url}/tasks", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def stored_token(stack: Any, task_id: str) -> str | None:
    """The workflow's task token in the task's item, once the request is open (never shown to anyone)."""
    item = stack.client("dynamodb").get_item(
        TableName=stack_names(stack)["tables"]["tasks"], Key={"id": {"S": task_id}}
    )
    return item.get("Item", {}).get("approvalToken", {}).get("S")


def awaiting(stack: Any, owner: str, **fields: Any) -> tuple[dict[str, Any], str]:
    """A task whose approval request is open (its token stored), and that token."""
    task = create_high(stack, owner, **fields)
    token = eventually(lambda: stored_token(stack, task["id"]), NOTIFICATION_DEADLINE)
    assert token, "the workflow did not open the request"
    return task, token
