"""The browser tests of the approvers' web app (web/), end to end on `make dev`, in headless Chromium from
the distribution's packages driven by Playwright (no browser is downloaded). Without Chromium they skip.

They live beside the app's top folder (tests/web/, not tests/e2e/): they need a browser the other end-to-end
tests do not, and `pytest tests/web` runs them alone. They share the session's `make dev` stack."""

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tasks_local.runtime.settings import REPO_ROOT

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# axe-core 4.14.1, as its README says.
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
# Each step's screenshot, for a person to read (CI keeps them); `make screenshots` points it at docs/.
SCREENSHOTS = Path(os.environ.get("WEB_SCREENSHOTS", REPO_ROOT / "build" / "web-screenshots"))
# What CI's root user and this machine's closed network need (README, "Approvers' web app").
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """CHROMIUM if set, else the distribution's Chromium on PATH."""
    return os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, unsandboxed (CI runs as root), with a fresh profile (Playwright makes one per
    launch); the tests skip, saying why, where there is no Chromium."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium here (apt-get install chromium): the web app's browser tests are skipped")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only where a browser runs

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, chromium_sandbox=False, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "the vendored axe-core is not the pinned one"
    return source.decode()


@pytest.fixture
def screenshots(request) -> Any:
    """`shot(page, step)` saves the page as <test>-<n>-<step>.png under WEB_SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []

    def shot(page: Any, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)
        return path

    return shot
