"""series_nav in Chromium: the "already read" marks, axe on series pages."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.harness import assert_clean_in_browser, axe_violations, build_site, serve

DATA = Path(__file__).parent / "test_data"
ONE, TWO, THREE = (
    "posts/part-one-of-three/",
    "posts/part-two-of-three/",
    "posts/part-three-of-three/",
)


@pytest.fixture(scope="module")
def series_site_url(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("series-browser"), content=DATA / "site")
    url, server = serve(site.root)
    yield url
    server.shutdown()


def expect_read_marks(page, list_selector, parts):
    """Waits until exactly `parts` (data-series-part) are marked as already read.

    The marks come from localStorage, which another tab writes from another
    process and which reaches this page later, as a `storage` event: expect
    waits for them rather than reading them once.
    """
    marked = page.locator(f"{list_selector} li.series-read")
    expect(marked).to_have_count(len(parts))
    for index, part in enumerate(parts):
        expect(marked.nth(index)).to_have_attribute("data-series-part", part)


@pytest.mark.browser
def test_parts_already_opened_are_marked(page, watch, series_site_url):
    page.goto(series_site_url + ONE)
    expect_read_marks(page, ".series-contents", [])  # the current part: not "read"
    page.goto(series_site_url + THREE)
    expect_read_marks(page, ".series-contents", [ONE])
    note = page.locator(".series-contents li.series-read .series-read-note")
    expect(note).to_have_text("already read")
    page.goto(series_site_url + "series/three-parts/")
    expect_read_marks(page, ".series-all-parts", [ONE, THREE])
    assert axe_violations(page) == []
    assert watch.console_errors == []
    assert watch.offsite_requests == []


@pytest.mark.browser
def test_marks_are_remembered_per_browser_only(browser, series_site_url):
    """A fresh profile (another reader) starts with nothing marked."""
    first = browser.new_context()
    first.new_page().goto(series_site_url + ONE)
    tab = first.new_page()
    tab.goto(series_site_url + TWO)
    expect_read_marks(tab, ".series-contents", [ONE])
    first.close()
    other = browser.new_context()
    tab = other.new_page()
    tab.goto(series_site_url + TWO)
    expect_read_marks(tab, ".series-contents", [])
    other.close()


@pytest.mark.browser
def test_without_javascript_nothing_breaks(browser, series_site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(series_site_url + THREE)
    expect(tab.locator(".series-contents li a")).to_have_count(3)
    expect(tab.locator(".series-read-note")).to_have_count(0)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "url",
    ["series/", "series/networking-in-practice/", "drafts/social-media-job-search/"],
)
def test_real_series_pages_pass_axe(page, watch, site_url, url, scheme):
    assert_clean_in_browser(page, watch, site_url + url, scheme)


@pytest.mark.browser
def test_theory_post_with_a_read_mark_passes_axe(page, site_url):
    page.goto(site_url + "series/networking-in-practice/")
    page.goto(site_url + "posts/networking-theory/")
    page.goto(site_url + "series/networking-in-practice/")
    expect_read_marks(page, ".series-all-parts", ["posts/networking-theory/"])
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
