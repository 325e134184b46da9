"""An approver's day in the web app, on `make dev`: the notification's link opens the request, sign-in goes
through the identity provider, the decision is recorded with its comment; and nothing secret is left in the
page's URL, storage or console (the session's own token in sessionStorage aside), the task token nowhere."""

import json

import pytest
from playwright.sync_api import expect

from tests.web.pages import Inbox, Tab, awaiting, find_in_queue

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OWNER, APPROVER = "olivia", "abe"


@pytest.fixture(scope="module")
def inbox(stack) -> Inbox:
    return Inbox(stack, "web-journey-inbox")


def _assert_nothing_secret_is_exposed(tab: Tab, task_token: str) -> None:
    stored = tab.storage()
    assert stored["local"] == {}, "nothing in localStorage"
    assert stored["cookies"] == "", "no cookie"
    assert set(stored["session"]) == {"tasks.session"}, "only the session itself (no PKCE verifier left)"
    access_token = json.loads(stored["session"]["tasks.session"])["accessToken"]
    url = tab.page.url
    assert "code=" not in url
    assert "state=" not in url
    assert access_token not in url
    seen = {
        "requested URLs": tab.requested,
        "console": tab.console,
        "page": [tab.page.content(), json.dumps(stored)],
    }
    for where, texts in seen.items():
        assert not [text for text in texts if task_token in text], f"the task token is in the {where}"
    assert not [text for text in tab.requested + tab.console if access_token in text]
    assert not [line for line in tab.console if line.startswith("page error")]


def test_an_approver_opens_the_notifications_link_signs_in_and_approves_with_a_comment(
    browser, stack, inbox, screenshots
):
    task, task_token = awaiting(stack, OWNER, description="Before the audit.", tags=["security"])

    queue = Tab.open(browser, f"{stack.api_url}/app/").sign_in(APPROVER, "approvers")
    row = find_in_queue(queue.page, task["title"]).locator("xpath=ancestor::tr")
    expect(row).to_contain_text(OWNER)
    screenshots(queue.page, "queue")
    queue.close()

    link = inbox.notification(task["id"])["approvalUrl"]
    assert link == f"{stack.api_url}/app/#/tasks/{task['id']}"
    tab = Tab.open(browser, link)  # a new tab, as from a mail: not signed in yet
    screenshots(tab.page, "signed-out")
    tab.sign_in(APPROVER, "approvers")
    page = tab.page
    expect(page.get_by_role("heading", level=1)).to_have_text(task["title"])
    expect(page.locator("main > dl.facts")).to_contain_text("Before the audit.")
    assert page.url == link, "back on the request the link named"
    screenshots(page, "request")

    page.get_by_label("Comment (optional)").fill("Ship it after the backup.")
    page.get_by_role("button", name="Approve").click()

    outcome = page.locator("section.outcome")
    expect(outcome.get_by_role("heading", name="Approved")).to_be_visible()
    expect(outcome).to_contain_text(APPROVER)
    expect(outcome).to_contain_text("Ship it after the backup.")
    screenshots(page, "approved")
    approval = stack.session(OWNER).get(f"{stack.api_url}/tasks/{task['id']}", timeout=10).json()["approval"]
    assert (approval["status"], approval["decidedBy"], approval["comment"]) == (
        "approved",
        APPROVER,
        "Ship it after the backup.",
    )
    _assert_nothing_secret_is_exposed(tab, task_token)
    assert not [body for body in inbox.received if task_token in body], "the token is in a notification"
