"""The web app works for everyone: each control has a label, an approver decides with the keyboard alone,
and axe-core (vendored, tests/web/vendor/axe-core) finds no serious or critical violation on any page."""

import pytest
from playwright.sync_api import expect

from tests.web.pages import Tab, awaiting, find_in_queue

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

OWNER, APPROVER = "oona", "kai"
MAX_TABS = 30

UNLABELLED = """() => [...document.querySelectorAll(
    'button, a[href], textarea, select, input:not([type=hidden])')]
  .filter((control) => !((control.labels && control.labels.length) || control.getAttribute('aria-label')
                         || control.textContent.trim()))
  .map((control) => control.outerHTML)"""


def _tab_to(page, locator) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user moves through the page."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if locator.evaluate("(element) => element === document.activeElement"):
            return
    pytest.fail(f"{locator} cannot be reached with the Tab key")


def _pages(browser, stack, **context):
    """Every page of the app as an approver meets it: (name, page) in order, in one tab."""
    task, _ = awaiting(stack, OWNER, title="Renew the TLS certificates", tags=["ops", "tls"])
    tab = Tab.open(browser, f"{stack.api_url}/app/#/tasks/{task['id']}", **context)
    page = tab.page
    yield "sign-in", page
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("User name").wait_for()
    yield "identity-provider", page
    page.get_by_label("User name").fill(APPROVER)
    page.get_by_label("approvers:").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renew the TLS certificates")
    yield "request", page
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Approved")).to_be_visible()
    yield "outcome", page
    page.get_by_role("link", name="Approval requests").click()
    expect(page.get_by_role("heading", name="Approval requests")).to_be_visible()
    yield "queue", page
    tab.close()


def test_every_control_on_every_page_has_a_label(browser, stack):
    unlabelled = {name: page.evaluate(UNLABELLED) for name, page in _pages(browser, stack)}
    assert {name: found for name, found in unlabelled.items() if found} == {}


def test_axe_core_finds_no_serious_violation_on_any_page(browser, stack, axe_source):
    """axe runs inside each page; its context bypasses the CSP only to load axe itself (the CSP lets no
    script in that the app's origin did not serve, which is its point)."""
    found = {}
    for name, page in _pages(browser, stack, bypass_csp=True):
        page.add_script_tag(content=axe_source)
        found[name] = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter((v) => ['serious', 'critical'].includes(v.impact))"
            ".map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`)"
        )
    assert len(found) == 5, "every page was checked"
    assert {name: violations for name, violations in found.items() if violations} == {}


def test_an_approver_signs_in_and_decides_with_the_keyboard_alone(browser, stack, screenshots):
    task, _ = awaiting(stack, OWNER, title="Move the backups to the new region")
    page = Tab.open(browser, f"{stack.api_url}/app/").page

    _tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")
    _tab_to(page, page.get_by_label("User name"))
    page.keyboard.type(APPROVER)
    _tab_to(page, page.get_by_label("approvers:"))
    page.keyboard.press("Space")
    _tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")

    def turn(button) -> None:
        _tab_to(page, button)
        page.keyboard.press("Enter")

    link = find_in_queue(page, "Move the backups to the new region", turn)
    _tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Move the backups to the new region")
    _tab_to(page, page.get_by_label("Comment (optional)"))
    page.keyboard.type("Done by keyboard.")
    _tab_to(page, page.get_by_role("button", name="Approve"))
    screenshots(page, "keyboard-focus-on-approve")
    page.keyboard.press("Enter")

    outcome = page.locator("section.outcome")
    expect(outcome.get_by_role("heading", name="Approved")).to_be_visible()
    expect(outcome).to_contain_text("Done by keyboard.")
    assert task["id"] in page.url
