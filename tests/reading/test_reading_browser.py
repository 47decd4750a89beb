"""reading in Chromium: the contents list folds on phones, is open on wide
screens and on paper; "read next" and the contents are axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.harness import assert_clean_in_browser

THEORY = "posts/networking-theory/"

pytestmark = pytest.mark.browser


def test_contents_fold_on_phones(page, watch, site_url):
    assert_clean_in_browser(page, watch, site_url + THEORY, width=360)
    fold = page.locator(".post-contents-fold")
    expect(fold).to_be_visible()
    expect(page.locator(".post-contents-open")).to_be_hidden()
    first = fold.get_by_role("link", name="What networking is")
    expect(first).to_be_hidden()  # folded
    fold.locator("summary").click()
    expect(first).to_be_visible()
    first.click()
    expect(page).to_have_url(site_url + THEORY + "#what-networking-is")


def test_contents_open_on_wide_screens_and_on_paper(page, watch, site_url):
    assert_clean_in_browser(page, watch, site_url + THEORY, width=1024)
    page.set_viewport_size({"width": 1024, "height": 800})
    opened = page.locator(".post-contents-open")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        expect(opened.get_by_role("link", name="Be specific")).to_be_visible()
        expect(page.locator(".post-contents-fold")).to_be_hidden()
        expect(page.locator("#post-contents-title")).to_be_visible()
    # A phone printing: still the open list.
    page.set_viewport_size({"width": 360, "height": 640})
    expect(opened).to_be_visible()
