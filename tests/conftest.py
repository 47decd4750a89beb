"""Session fixtures: the real site built once, served, and a real browser.

- `site`: content/ built with pelicanconf.py into a temporary folder.
- `published_site`: the same with publishconf.py (absolute URLs).
- `site_url`: `site` served on loopback, for browser tests.
- `browser`, `browser_context`, `page`: headless Debian Chromium through
  Playwright; `watch` is the context's `PageWatch` (console errors and
  off-site requests recorded).
Every test starts with Pelican's log filter forgetting what it has seen.
Helpers to import: tests/harness.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pelican.log import LimitFilter
from playwright.sync_api import expect, sync_playwright

from tests.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PUBLISHED_SITEURL,
    PageWatch,
    Site,
    build_site,
    serve,
)

# How long a browser action or `expect` may wait for its condition
# (Playwright's own default for actions). `expect` returns as soon as its
# condition holds; its own 5 s default is too short for a first search
# (Pagefind's worker and WebAssembly) on a loaded machine.
BROWSER_WAIT_MS = 30_000
expect.set_options(timeout=BROWSER_WAIT_MS)


@pytest.fixture(autouse=True)
def fresh_pelican_log_filter():
    """Pelican drops a warning it has logged before in this process, and every
    warning of a `limit_msg` group after the fifth: without this, whether a
    test sees its warnings would depend on which tests ran before it (and
    `make test-fast` runs a different set than `make test`)."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Site:
    return build_site(
        tmp_path_factory.mktemp("published"),
        settings_file="publishconf.py",
        SITEURL=PUBLISHED_SITEURL,
    )


@pytest.fixture(scope="session")
def site_url(site):
    url, server = serve(site.root)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. Missing Chromium fails loudly: never a skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_context(browser):
    """A fresh browser profile (own localStorage) for one test."""
    context = browser.new_context()
    context.watch = PageWatch(context)
    yield context
    context.close()


@pytest.fixture
def watch(browser_context) -> PageWatch:
    """Console errors and off-site requests of the test's browser context."""
    return browser_context.watch


@pytest.fixture
def page(browser_context):
    """A tab in the test's browser context; open more with `new_page()`."""
    return browser_context.new_page()


# Lighthouse scores (tests/audit/test_audit_lighthouse.py), printed at the
# end of the run. Here, not in tests/audit/conftest.py: with pytest-xdist
# the controller runs only this conftest's hooks.
LIGHTHOUSE_SCORES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def lighthouse_scores(request) -> dict:
    """Scores per page, filled by the Lighthouse tests, printed at the end."""
    return request.config.stash.setdefault(LIGHTHOUSE_SCORES, {})


def pytest_sessionfinish(session):
    """A pytest-xdist worker sends its scores to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        scores = session.config.stash.get(LIGHTHOUSE_SCORES, {})
        workeroutput["lighthouse_scores"] = json.dumps(scores)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller gathers each worker's scores (pytest-xdist's hook)."""
    scores = json.loads(node.workeroutput.get("lighthouse_scores", "{}"))
    node.config.stash.setdefault(LIGHTHOUSE_SCORES, {}).update(scores)


def pytest_terminal_summary(terminalreporter, config):
    scores = config.stash.get(LIGHTHOUSE_SCORES, {})
    if not scores:
        return
    terminalreporter.section("Lighthouse scores")
    terminalreporter.write_line(
        "(performance moves with the machine's load: printed, not judged)"
    )
    categories = ("performance", "accessibility", "best-practices", "seo")
    terminalreporter.write_line(
        "page".ljust(28) + "".join(name.rjust(16) for name in categories)
    )
    for page, page_scores in scores.items():
        terminalreporter.write_line(
            (page or "(home)").ljust(28)
            + "".join(str(page_scores.get(name, "-")).rjust(16) for name in categories)
        )
