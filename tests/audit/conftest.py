"""The production build served on loopback, for the audits.

`production` builds content/ with publishconf.py (sitemap, feeds, absolute
URLs) with SITEURL set to the loopback server that serves it, so every
absolute link in the build points at a page the audits can fetch.
Every test here is marked `audit`. The Lighthouse scores the tests collect
are printed at the end of the run by tests/conftest.py: under pytest-xdist
only the top conftest's hooks run in the controller, which prints them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import Site, build_site, serve

AUDIT_FOLDER = Path(__file__).parent


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
