"""Browser tests: Playwright's sync API driving Debian's Chromium against the live server.

pytest-django's ``live_server`` runs the app in a thread of this process, so the tests use
a real, committed database: mark them ``django_db(transaction=True)``. On SQLite the
in-memory test database is shared with the server thread; on PostgreSQL both threads
connect to the test database.

Every page opened through ``open_page`` records console errors, uncaught exceptions, failed
requests and HTTP error responses; a test fails at teardown if any occurred that it did
not declare with ``page_errors.expect_status(...)``.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PASSWORD = "secret-pass-123"  # the password of every user of the ``users`` fixture
TIME_ZONE = "Asia/Tehran"
# Browsers ask for it whatever the page says; it is not part of the app.
IGNORED_PATHS = re.compile(r"/favicon\.ico$")

expect.set_options(timeout=10_000)


def _find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests, closed when they are done.

    Package scope rather than session scope: while Playwright's sync API is started, this
    thread looks to Django as if it ran an event loop (the API keeps its loop marked as
    running between calls), so the ORM calls of the tests and of pytest-django's fixtures
    would raise SynchronousOnlyOperation. DJANGO_ALLOW_ASYNC_UNSAFE lifts that check for as
    long as Playwright runs, and no longer: the tests of other packages run without it.
    """
    executable = _find_chromium()
    if executable is None:
        message = (
            "Chromium was not found (/usr/bin/chromium or `chromium` on PATH); the browser "
            "tests need it. Install it with `apt-get install chromium`."
        )
        if os.environ.get("PEYVAND_REQUIRE_E2E") == "1":
            pytest.fail(f"PEYVAND_REQUIRE_E2E=1 but {message}", pytrace=False)
        pytest.skip(message)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageErrors:
    """What went wrong in the browser during a test, besides what the test said to expect."""

    problems: list[str] = field(default_factory=list)
    expected: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)

    def expect_status(self, status: int, path: str) -> None:
        """A response the test provokes on purpose, e.g. a 404 page; ``path`` is a regex."""
        self.expected.append((status, re.compile(path)))

    def _is_expected(self, status: int, url: str) -> bool:
        return any(code == status and pattern.search(url) for code, pattern in self.expected)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "") if message.location else ""
        if IGNORED_PATHS.search(url):
            return
        # Chromium logs every HTTP error response as a console error too; those are judged
        # by on_response, which knows the status.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error: {message.text} ({url})")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def on_request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A navigation cancels the requests still in flight on the page it leaves.
        if "ERR_ABORTED" in failure or IGNORED_PATHS.search(request.url):
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def on_response(self, response: Response) -> None:
        if response.status < 400 or IGNORED_PATHS.search(response.url):
            return
        if self._is_expected(response.status, response.url):
            return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def open_page(browser: Browser, live_server: Any, page_errors: PageErrors) -> Iterator[Callable[..., Page]]:
    """``open_page(locale="fa-IR")``: a page in a fresh browser context (own cookies).

    The locale sets both the browser's language and its Accept-Language header.
    """
    contexts = []
    _warm(live_server.url)

    def open_(locale: str = "fa-IR") -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id=TIME_ZONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", page_errors.on_console)
        page.on("pageerror", page_errors.on_page_error)
        page.on("requestfailed", page_errors.on_request_failed)
        page.on("response", page_errors.on_response)
        return page

    yield open_
    for context in contexts:
        context.close()
    if page_errors.problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(page_errors.problems), pytrace=False)


_warmed: set[str] = set()


def _warm(base: str) -> None:
    """The live server's first answer loads every view and template, which on a busy machine
    takes longer than a page's wait: done once per server, before the browser waits on it."""
    if base not in _warmed:
        with urllib.request.urlopen(f"{base}/login/", timeout=120) as first:
            assert first.status == 200
        _warmed.add(base)


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form and wait for the home page."""
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/$"))
    expect(page.locator("[data-testid=user-menu]")).to_be_visible()


@pytest.fixture
def signed_in(open_page: Callable[..., Page], users: dict[str, Any]) -> Callable[..., Page]:
    """``signed_in("sales", locale="en-US")``: a new page, signed in as one of ``users``."""

    def sign_in(username: str = "sales", locale: str = "fa-IR") -> Page:
        assert username in users
        page = open_page(locale)
        login(page, username)
        return page

    return sign_in
