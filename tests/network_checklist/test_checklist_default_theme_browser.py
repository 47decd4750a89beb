"""The checklist in Pelican's default theme, in headless Chromium: nothing but
the installed plugin and a `::: checklist` block (no THEME, no PLUGINS), and
the widget works, under this site's Content-Security-Policy, and the pages
that load its files from their body are valid HTML (the Nu validator).

(The package's own tests, plugins/network_checklist/.../tests/, check the
built pages without a browser; this one needs Playwright, so it lives here.)
"""

import functools
import http.server
import threading

import pytest
from pelican import Pelican
from pelican.settings import read_settings
from playwright.sync_api import expect

from pelicanconf import CONTENT_SECURITY_POLICY
from tests.test_html_validity import _validate
from tools.preview.fresh import prepare_fresh_build

pytestmark = pytest.mark.browser

POST = """Title: Plans
Date: 2026-01-02

What to do next.

::: checklist
id: plans
title: Next steps
counts: yes

- [ ] Call Sam {#sam}
- [ ] Write to Alex
:::
"""


class _PolicyHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with the site's policy as an HTTP header (no inline
    script or style), and keeps no copy in the browser."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@pytest.fixture(scope="module")
def default_theme_site(tmp_path_factory):
    """A one-post site in Pelican's default theme, every installed plugin
    found by Pelican itself; returns its output folder."""
    folder = tmp_path_factory.mktemp("checklist-default-theme")
    (folder / "content").mkdir()
    (folder / "content" / "plans.md").write_text(POST, encoding="utf-8")
    settings = read_settings(
        override={
            "PATH": str(folder / "content"),
            "OUTPUT_PATH": str(folder / "output"),
            "ARTICLE_URL": "posts/{slug}/",
            "ARTICLE_SAVE_AS": "posts/{slug}/index.html",
            "RELATIVE_URLS": True,
            "TIMEZONE": "UTC",
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        }
    )
    assert settings["PLUGINS"] is None and settings["THEME"].endswith("notmyidea")
    prepare_fresh_build(settings)  # only what Pelican itself loads now
    Pelican(settings).run()
    return folder / "output"


@pytest.fixture(scope="module")
def default_theme_url(default_theme_site):
    """The default theme site, served on loopback."""
    handler = functools.partial(_PolicyHandler, directory=str(default_theme_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_widget_works_in_the_default_theme(page, watch, default_theme_url):
    page.goto(default_theme_url + "posts/plans/")
    # Enhanced: the script ran. Styled: the stylesheet applies.
    expect(page.locator(".checklist-tools")).to_be_visible()
    assert (
        page.locator(".checklist-items").evaluate(
            "list => getComputedStyle(list).listStyleType"
        )
        == "none"
    )
    # The fields' screen-reader text is hidden on screen here too.
    assert (
        page.locator(".checklist .visually-hidden").first.bounding_box()["width"] <= 1
    )
    page.locator("[name='sam-done']").check()
    page.locator("[name='sam-count']").fill("3")
    expect(page.locator(".checklist-progress")).to_have_text(
        "1 of 2 items reviewed. 3 people."
    )
    page.reload()
    expect(page.locator("[name='sam-done']")).to_be_checked()
    expect(page.locator("[name='sam-count']")).to_have_value("3")
    # The default theme shows the latest post whole on the home page: the
    # widget works there as well, with the same answers.
    page.goto(default_theme_url)
    expect(page.locator("[name='sam-done']")).to_be_checked()
    expect(page.locator(".checklist-progress")).to_have_text(
        "1 of 2 items reviewed. 3 people."
    )
    # No policy violation (each is a console error) and no other host.
    assert watch.console_errors == []
    assert watch.offsite_requests == []


@pytest.mark.audit
def test_default_theme_pages_with_the_files_in_the_body_are_valid_html(
    default_theme_site,
):
    post = (default_theme_site / "posts" / "plans" / "index.html").read_text("utf-8")
    assert '<script type="module" src="../../theme/checklist/checklist.js' in post
    code, output = _validate(default_theme_site)
    assert code == 0, output
