"""Browser tests: Playwright driving Debian's Chromium against the real stack (tests/e2e/conftest.py).

Nothing is skipped silently: a missing browser or an unbuilt bundle fails with what to run.
"""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
# The demo reps seeded in development and test (backend/crud/reps.py).
REP = ("rep@smwd.example.com", "rep-demo-password")
SUPERVISOR = ("supervisor@smwd.example.com", "supervisor-demo-password")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser (installs Debian's "
                    "chromium); never `playwright install`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance) -> Iterator[object]:  # type: ignore[no-untyped-def]
    chromium = playwright_instance.chromium.launch(executable_path=str(CHROMIUM))
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def web(stack) -> str:  # type: ignore[no-untyped-def]
    """The backend's URL once it serves the web bundle (built here if it's out of date)."""
    subprocess.run([str(ROOT / "scripts" / "build-web")], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    url = f"{stack.backend}/widget/waterdesk.js"
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
    except urllib.error.HTTPError as exc:
        hint = ("the bundle isn't built: run scripts/build-web" if exc.code == 503 else
                "backend/main.py doesn't serve it: create_app must call "
                "mount_web(app, dist=ROOT / 'widget' / 'dist') from backend.web")
        pytest.fail(f"GET {url} answered {exc.code}: {hint}", pytrace=False)
    return stack.backend


@pytest.fixture
def new_page(browser):  # type: ignore[no-untyped-def]
    """Pages in fresh contexts (a customer and a rep are two browsers); closed after the test."""
    contexts = []

    def make(**options):  # type: ignore[no-untyped-def]
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 860},
                                         "timezone_id": "America/Los_Angeles", **options})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
