"""Replies in headless Chromium: shown, accessible, nothing from elsewhere,
and the same without JavaScript."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.harness import PageWatch, assert_clean_in_browser, build_site, serve

DATA = Path(__file__).parent / "test_data" / "site"
CONVERSATION = "posts/conversation/"


@pytest.fixture(scope="module")
def replies_url(tmp_path_factory):
    """The test_data site (a webmention endpoint set), built and served."""
    root = tmp_path_factory.mktemp("social_replies_browser")
    shutil.copytree(DATA, root / "content")
    site = build_site(
        root / "output",
        content=root / "content",
        REPLIES_WEBMENTION_ENDPOINT="https://webmention.example/endpoint",
        REPLIES_MAX_PER_POST=10,
    )
    url, server = serve(site.root)
    yield url
    server.shutdown()


def shows_the_conversation(page):
    replies = page.locator("section.replies")
    expect(replies.get_by_role("heading", name="Replies")).to_be_visible()
    expect(replies.locator("li.u-comment")).to_have_count(6)
    expect(replies.get_by_text("Agreed with Alice.")).to_be_visible()
    expect(replies.get_by_role("link", name="Reply on Mastodon")).to_be_visible()
    # Each shown avatar loaded from this site.
    for image in replies.locator("img").all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("image => image.naturalWidth") > 0


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("slug", ["conversation", "hostile", "busy", "quiet"])
def test_replies_pass_axe_and_load_nothing_from_elsewhere(
    page, watch, replies_url, slug, scheme
):
    assert_clean_in_browser(page, watch, f"{replies_url}posts/{slug}/", scheme)


@pytest.mark.browser
def test_replies_render_with_avatars_from_this_site(page, watch, replies_url):
    page.goto(replies_url + CONVERSATION)
    shows_the_conversation(page)
    # The names can be read by a screen reader, faces included.
    faces = page.locator(".replies-faces")
    expect(faces.get_by_role("link", name="Ivy Indie")).to_have_attribute(
        "href", "https://blog.example/"
    )
    assert watch.offsite_requests == []
    assert watch.console_errors == []


@pytest.mark.browser
def test_replies_show_without_javascript(browser, replies_url):
    context = browser.new_context(java_script_enabled=False)
    watch = PageWatch(context)
    try:
        page = context.new_page()
        page.goto(replies_url + CONVERSATION)
        shows_the_conversation(page)
        assert watch.offsite_requests == []
    finally:
        context.close()


@pytest.mark.browser
def test_hostile_replies_run_nothing(page, watch, replies_url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(replies_url + "posts/hostile/")
    replies = page.locator("section.replies")
    expect(replies.locator("li.u-comment")).to_have_count(4)
    # The content warning folds its reply away until opened.
    warning = replies.locator("details.reply-warning")
    expect(warning.locator(".e-content")).to_be_hidden()
    warning.locator("summary").click()
    expect(warning.get_by_role("link", name="safe link")).to_be_visible()
    # Names cannot reorder the text around them: no bidi control survives.
    names = replies.locator("bdi").all_inner_texts()
    assert not any(
        set(name) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        for name in names
    )
    assert dialogs == []
    assert watch.offsite_requests == []
    assert watch.console_errors == []


@pytest.mark.browser
def test_the_real_sites_invitation_passes_axe(page, watch, site_url):
    assert_clean_in_browser(page, watch, site_url + "posts/networking-theory/")
    expect(page.locator("section.replies")).to_contain_text("No replies yet.")
