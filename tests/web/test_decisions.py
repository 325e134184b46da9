"""The decisions an approver meets in the web app besides a plain approval: a rejection, a task that changed
while it was shown, a task they may not decide (owner, assignee), a hostile title, and signing out."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.polling import eventually
from tests.web.pages import Tab, awaiting, find_in_queue, stored_token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OWNER, APPROVER, ASSIGNEE = "omar", "ada", "avery"


def _request_page(browser, stack, task_id: str, user: str, *groups: str) -> Tab:
    return Tab.open(browser, f"{stack.api_url}/app/#/tasks/{task_id}").sign_in(user, *groups)


def _approval(stack, task_id: str) -> dict:
    return stack.session(OWNER).get(f"{stack.api_url}/tasks/{task_id}", timeout=10).json()["approval"]


def test_a_rejection_shows_rejected_with_its_comment(browser, stack, screenshots):
    task, _ = awaiting(stack, OWNER, title="Open the firewall to the world")
    page = _request_page(browser, stack, task["id"], APPROVER, "approvers").page

    page.get_by_label("Comment (optional)").fill("Not without a review of the rules.")
    page.get_by_role("button", name="Reject").click()

    outcome = page.locator("section.outcome")
    expect(outcome.get_by_role("heading", name="Rejected")).to_be_visible()
    expect(outcome).to_contain_text("Not without a review of the rules.")
    expect(page.locator("main > dl.facts")).to_contain_text("cancelled")
    screenshots(page, "rejected")
    assert _approval(stack, task["id"])["status"] == "rejected"


def test_a_decision_on_a_task_changed_meanwhile_decides_nothing_and_shows_the_new_version(
    browser, stack, screenshots
):
    task, first_token = awaiting(stack, OWNER, title="Rotate the staging keys")
    page = _request_page(browser, stack, task["id"], APPROVER, "approvers").page
    expect(page.get_by_role("heading", level=1)).to_have_text("Rotate the staging keys")
    changed = stack.session(OWNER).put(
        f"{stack.api_url}/tasks/{task['id']}", json={"title": "Rotate the production keys"}, timeout=10
    )
    assert changed.status_code == 200, changed.text

    page.get_by_label("Comment (optional)").fill("Staging only, fine.")
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("alert")).to_contain_text("This task changed since it was shown to you")
    expect(page.get_by_role("alert")).to_contain_text("Changed: title.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rotate the production keys")
    expect(page.get_by_label("Comment (optional)")).to_have_value("Staging only, fine.")
    screenshots(page, "changed-meanwhile")
    assert _approval(stack, task["id"])["status"] == "awaiting", "nothing was decided"

    # The change asked again; once the new request is open, a decision on the version shown holds.
    assert eventually(lambda: (token := stored_token(stack, task["id"])) and token != first_token, 5.0)
    page.get_by_label("Comment (optional)").fill("Production too, after reading it again.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("section.outcome").get_by_role("heading", name="Approved")).to_be_visible()


@pytest.mark.parametrize(
    ("user", "why"),
    [(OWNER, "You own this task"), (ASSIGNEE, "You are the assignee of this task")],
    ids=["owner", "assignee"],
)
def test_the_owner_and_the_assignee_see_why_they_cannot_decide_instead_of_a_button(
    browser, stack, screenshots, user, why
):
    task, _ = awaiting(stack, OWNER, title="Grant the contractor admin rights", assignee=ASSIGNEE)
    page = _request_page(browser, stack, task["id"], user, "approvers").page  # approvers, yet not this one

    expect(page.get_by_role("heading", level=1)).to_have_text("Grant the contractor admin rights")
    expect(page.locator(".why-not")).to_contain_text(why)
    expect(page.locator(".why-not")).to_contain_text("another approver has to (four eyes)")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)
    screenshots(page, f"{user}-view")


HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_a_hostile_title_is_shown_as_its_characters_and_runs_nothing(browser, stack, screenshots):
    task, _ = awaiting(stack, OWNER, title=HOSTILE, description=HOSTILE)
    tab = Tab.open(browser, f"{stack.api_url}/app/").sign_in(APPROVER, "approvers")
    page = tab.page

    find_in_queue(page, HOSTILE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    expect(page.locator("main > dl.facts")).to_contain_text(HOSTILE)
    screenshots(page, "hostile-title")
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    # And the CSP stands behind it: a script the page did not load from its origin never runs.
    ran = page.evaluate(
        """() => { try { const s = document.createElement('script'); s.textContent = 'window.__xss = 3';
        document.body.append(s); } catch (e) { return 'refused: ' + e.name; }
        return window.__xss ?? 'blocked'; }"""
    )
    assert ran in ("blocked", "refused: TypeError")
    assert task["id"] in page.url


def test_sign_out_forgets_the_session_and_shows_nothing_after(browser, stack, screenshots):
    awaiting(stack, OWNER, title="Archive the 2019 invoices")
    tab = Tab.open(browser, f"{stack.api_url}/app/").sign_in(APPROVER, "approvers")
    page = tab.page
    expect(find_in_queue(page, "Archive the 2019 invoices")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert tab.storage() == {"local": {}, "session": {}, "cookies": ""}
    page.go_back()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Archive the 2019 invoices")).to_have_count(0)
    screenshots(page, "signed-out")


def test_an_ended_session_asks_to_sign_in_again_and_comes_back_to_the_same_request(browser, stack):
    task, _ = awaiting(stack, OWNER, title="Renew the domain names")
    tab = _request_page(browser, stack, task["id"], APPROVER, "approvers")
    page = tab.page
    # The token stops being accepted (as when it expires): its signature no longer matches.
    page.evaluate(
        """() => { const session = JSON.parse(sessionStorage.getItem('tasks.session'));
        session.accessToken = session.accessToken.slice(0, -4) + 'AAAA';
        sessionStorage.setItem('tasks.session', JSON.stringify(session)); }"""
    )
    page.reload()

    expect(page.get_by_role("alert")).to_contain_text("Your session has ended")
    assert tab.storage()["session"] == {}
    tab.sign_in(APPROVER, "approvers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Renew the domain names")


@pytest.fixture
def twenty_one_requests(stack) -> Iterator[list[str]]:
    """More requests than one page holds; withdrawn afterwards (priority lowered), so they do not crowd the
    queue of the tests that follow."""
    tasks = [awaiting(stack, OWNER, title=f"Queue page check {n:02d}")[0] for n in range(21)]
    yield [task["title"] for task in tasks]
    owner = stack.session(OWNER)
    for task in tasks:
        owner.put(f"{stack.api_url}/tasks/{task['id']}", json={"priority": "medium"}, timeout=10)


def test_the_queue_pages_through_every_request_oldest_first_and_back(browser, stack, twenty_one_requests):
    mine = twenty_one_requests
    page = Tab.open(browser, f"{stack.api_url}/app/").sign_in(APPROVER, "approvers").page
    pages: list[list[str]] = []
    while True:
        expect(page.get_by_role("heading", name="Approval requests")).to_be_visible()
        pages.append(page.locator("tbody tr td:first-child").all_inner_texts())
        following = page.get_by_role("button", name="Next page")
        if not following.count():
            break
        following.click()
        expect(page.locator("tbody tr td:first-child").first).not_to_have_text(pages[-1][0])

    assert len(pages) >= 2
    assert all(len(rows) == 20 for rows in pages[:-1])
    assert [title for rows in pages for title in rows if title in mine] == mine
    page.get_by_role("button", name="Previous page").click()
    expect(page.locator("tbody tr td:first-child").first).to_have_text(pages[-2][0])
