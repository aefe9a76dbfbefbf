"""Fixtures for the browser tests: the whole suite as processes on the real broker (one per test
module), and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.kit import (
    CHROMIUM_ARGS,
    CHROMIUM_EXECUTABLE,
    VIEWPORT,
    Recorder,
    install_browser_tools,
)
from tests.e2e.suite import Suite, running_suite


@pytest.fixture(scope="session")
def browser_tools() -> None:
    """Chromium and axe-core, installed on a fresh machine; a quick check when already there."""
    install_browser_tools()


@pytest.fixture(scope="module")
def suite(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """The five services as processes on the real broker, stopped after the module's tests."""
    with running_suite(kafka_bootstrap, Path(tmp_path_factory.mktemp("suite"))) as running:
        yield running


@pytest.fixture(scope="module")
def browser(browser_tools: None) -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps its own event loop, which should
    # not outlive the module while pytest-asyncio runs other tests on the session loop.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_EXECUTABLE, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browsing context (no cookies, no history) for each test."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page_without_scripts(browser: Browser) -> Iterator[Page]:
    """A fresh browsing context where the pages' own scripts never load: the pages as they work
    without JavaScript. (JavaScript itself stays on, for axe-core, which the test injects.)"""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", bypass_csp=True)
    context.route(re.compile(r"\.m?js(\?.*)?$"), lambda route: route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return Recorder(tmp_path)
