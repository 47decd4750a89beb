"""Author pages in headless Chromium: axe clean in light and dark, no overflow."""

import pytest

from tests.harness import assert_clean_in_browser

PAGES = ["author/paul-weston/", "author/site-author/", "authors/"]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", [*PAGES, "posts/networking-theory/"])
def test_author_pages_pass_axe_in_both_schemes(page, watch, site_url, url, scheme):
    assert_clean_in_browser(page, watch, site_url + url, scheme)


@pytest.mark.browser
def test_profile_link_has_an_accessible_name(page, site_url):
    page.goto(site_url + "author/paul-weston/")
    link = page.get_by_role("link", name="X (Twitter): @PaulWeston33")
    assert link.get_attribute("href") == "https://x.com/PaulWeston33"
