"""The production build served on loopback, for the audits.

`production` builds content/ with publishconf.py (sitemap, feeds, absolute
URLs) with SITEURL set to the loopback server that serves it, so every
absolute link in the build points at a page the audits can fetch.
The Lighthouse scores collected by the tests are printed at the end of the
run (`pytest_terminal_summary`); under pytest-xdist each worker hands its
scores to the controller, which prints them all. Every test here is marked
`audit`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import Site, build_site, serve

AUDIT_FOLDER = Path(__file__).parent
LIGHTHOUSE_SCORES = pytest.StashKey[dict]()


def pytest_collection_modifyitems(items):
    """Marks every test in this folder `audit` (`make test-fast` skips them).

    Pytest calls this hook with the whole session's tests, wherever the
    conftest is: only the ones in this folder are marked.
    """
    for item in items:
        if item.path.is_relative_to(AUDIT_FOLDER):
            item.add_marker(pytest.mark.audit)


class ProductionSite:
    """A production build and the loopback URL it is served from."""

    def __init__(self, site: Site, url: str):
        self.site = site
        self.url = url  # ends with "/"

    def page_url(self, relative: str) -> str:
        return self.url + relative.lstrip("/")


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    # Serve first: the port must be known before the build bakes it in.
    url, server = serve(root)
    site = build_site(root, settings_file="publishconf.py", SITEURL=url.rstrip("/"))
    yield ProductionSite(site, url)
    server.shutdown()


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
