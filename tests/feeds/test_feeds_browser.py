"""Pages the feeds plugin fills, in a real browser: clean, accessible, links work."""

import pytest
from playwright.sync_api import expect

from tests.harness import assert_clean_in_browser


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "url", ["subscribe/", "series/networking-in-practice/", "author/site-author/"]
)
def test_feed_pages_pass_axe(page, watch, site_url, url, scheme):
    assert_clean_in_browser(page, watch, site_url + url, scheme)


@pytest.mark.browser
def test_subscribe_links_open_the_feeds(page, site_url):
    page.goto(site_url + "subscribe/")
    links = page.locator(".feed-list a[type='application/atom+xml']")
    expect(links).to_have_count(3)
    for index in range(links.count()):
        response = page.request.get(links.nth(index).evaluate("a => a.href"))
        assert response.ok
        assert b'<feed xmlns="http://www.w3.org/2005/Atom"' in response.body()


@pytest.mark.browser
def test_follow_this_series_is_visible_with_names(page, site_url):
    page.goto(site_url + "series/networking-in-practice/")
    follow = page.locator(".feed-follow")
    expect(follow).to_be_visible()
    expect(follow).to_contain_text("Follow this series")
    atom = follow.get_by_role("link", name="Atom feed of Networking in practice")
    expect(atom).to_be_visible()
