"""The two pictures the README shows, taken from the real app: the queue (oldest request first, how long
each has waited) and a request (the task, its history, the decision), on a stack of their own so that the
queue holds only these requests. `make screenshots` runs this with WEB_SCREENSHOTS=docs/screenshots;
otherwise the pictures land with the other steps' ones."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.harness import LocalStack, start_stack, stop_stack
from tests.web.conftest import SCREENSHOTS
from tests.web.pages import Tab, awaiting

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

REQUESTS = [
    (
        "olivia",
        {
            "title": "Rotate the production signing keys",
            "description": "Quarterly rotation; the old keys stay valid for 24 h.",
            "assignee": "sam",
            "dueDate": "2026-12-18",
            "tags": ["security", "prod"],
        },
    ),
    ("noah", {"title": "Open port 5432 to the analytics VPC", "tags": ["network"]}),
    ("mia", {"title": "Grant the auditors read access to the ledger", "assignee": "li"}),
]


@pytest.fixture(scope="module")
def fresh_stack(browser, tmp_path_factory) -> Iterator[LocalStack]:
    running = start_stack(tmp_path_factory.mktemp("screenshots-state"))
    yield running
    stop_stack(running)


def test_the_queue_and_a_request_as_the_readme_shows_them(browser, fresh_stack):
    stack = fresh_stack
    created = [awaiting(stack, owner, **fields)[0] for owner, fields in REQUESTS]
    # As tall as the page: no empty screen below the queue.
    tab = Tab.open(browser, f"{stack.api_url}/app/", viewport={"width": 1100, "height": 400})
    tab.sign_in("ada", "approvers")
    page = tab.page
    titles = page.locator("tbody tr td:first-child").all_inner_texts()
    assert titles == [task["title"] for task in created], "oldest request first"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "queue.png", full_page=True)

    page.get_by_role("link", name=created[0]["title"]).click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "request.png", full_page=True)
