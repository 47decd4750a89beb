"""The real site in headless Chromium: no console errors, no axe violations."""

import re

import pytest
from playwright.sync_api import expect

from tests.harness import assert_clean_in_browser, axe_violations

PAGES = ["", "posts/networking-theory/", "about/", "archives/"]


@pytest.mark.browser
@pytest.mark.parametrize("url", PAGES)
def test_page_loads_cleanly_and_passes_axe(page, watch, site_url, url):
    page.goto(site_url + url)
    assert page.title().endswith("Who You Know")
    assert axe_violations(page) == []
    assert watch.console_errors == []
    assert watch.offsite_requests == []


@pytest.mark.browser
def test_skip_link_moves_focus_to_main(page, site_url):
    page.goto(site_url + "posts/networking-theory/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_in_either_colour_scheme(page, watch, site_url, scheme):
    assert_clean_in_browser(page, watch, site_url + "posts/networking-theory/", scheme)
