"""Share links in a real browser: Mastodon, copy, the share sheet, no JS, axe.

Every step waits for a condition (a request, a status text, a value): no
fixed delays. Requests to other hosts are blocked and recorded by the
harness, so "opens https://<server>/share?..." is seen as the request the
browser tried to make.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.harness import PageWatch, assert_clean_in_browser, axe_violations

POST = "posts/networking-theory/"


def mastodon_text(request_url: str) -> str:
    return parse_qs(urlsplit(request_url).query, strict_parsing=True)["text"][0]


def open_mastodon(page):
    page.get_by_text("Mastodon", exact=True).click()
    server = page.get_by_label("Your Mastodon server")
    expect(server).to_be_visible()
    return server


@pytest.mark.browser
def test_mastodon_asks_once_remembers_and_opens_the_share_address(
    browser_context, page, watch, site_url
):
    page.goto(site_url + POST)
    title = page.locator("[data-share]").get_attribute("data-share-title")
    server = open_mastodon(page)
    server.fill("https://Social.Example/@someone")
    with page.expect_request(
        lambda r: r.url.startswith("https://social.example/")
    ) as sent:
        page.get_by_role("button", name="Share on Mastodon").click()
    assert urlsplit(sent.value.url).path == "/share"
    assert mastodon_text(sent.value.url) == f"{title} {site_url}{POST}"

    # A later visit: the server is remembered, in this browser only.
    again = browser_context.new_page()
    again.goto(site_url + POST)
    expect(open_mastodon(again)).to_have_value("social.example")
    assert watch.console_errors == []


@pytest.mark.browser
def test_mastodon_by_keyboard_with_a_handle(page, site_url):
    page.goto(site_url + POST)
    page.locator(".share-mastodon summary").focus()
    page.keyboard.press("Enter")
    server = page.get_by_label("Your Mastodon server")
    expect(server).to_be_visible()
    page.keyboard.press("Tab")
    expect(server).to_be_focused()
    page.keyboard.type("@me@Mastodon.Example")
    with page.expect_request(lambda r: "mastodon.example" in r.url) as sent:
        page.keyboard.press("Enter")
    assert sent.value.url.startswith("https://mastodon.example/share?text=")


@pytest.mark.browser
def test_a_server_that_is_not_an_address_is_refused(page, watch, site_url):
    page.goto(site_url + POST)
    server = open_mastodon(page)
    server.fill("not a server")
    page.get_by_role("button", name="Share on Mastodon").click()
    expect(server).to_have_js_property(
        "validationMessage", "Enter your server's address, such as mastodon.social."
    )
    assert watch.offsite_requests == []
    assert page.evaluate("localStorage.getItem('share:mastodon-server')") is None


@pytest.mark.browser
def test_copy_link_puts_the_address_on_the_clipboard(browser_context, page, site_url):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site_url + POST)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-share-status]")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == site_url + POST


@pytest.mark.browser
def test_the_share_sheet_where_the_browser_has_one(browser_context, page, site_url):
    # Desktop Chromium on Linux has no Web Share API; a phone's browser does.
    browser_context.add_init_script(
        "window.sharedWith = [];"
        "navigator.share = async (data) => { window.sharedWith.push(data); };"
    )
    page.goto(site_url + POST)
    page.get_by_role("button", name="Share…").click()
    page.wait_for_function("window.sharedWith.length === 1")
    shared = page.evaluate("window.sharedWith[0]")
    assert shared["url"] == site_url + POST
    assert shared["title"].startswith("Networking, in theory")


@pytest.mark.browser
def test_without_a_share_sheet_the_button_stays_hidden(page, site_url):
    page.goto(site_url + POST)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    expect(page.locator("[data-share-native]")).to_be_hidden()


@pytest.mark.browser
def test_without_javascript_the_links_and_a_note_remain(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    watch = PageWatch(context)
    page = context.new_page()
    page.goto(site_url + POST)
    for name in ("X", "LinkedIn", "Bluesky", "E-mail"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.get_by_text("Mastodon", exact=True).click()
    expect(page.locator("[data-share-mastodon-manual]")).to_be_visible()
    expect(page.locator("[data-share-mastodon]")).to_be_hidden()
    expect(page.locator("[data-share-copy]")).to_be_hidden()
    assert watch.offsite_requests == []
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_share_links_are_axe_clean_at_320_px(page, watch, site_url, scheme):
    assert_clean_in_browser(page, watch, site_url + POST, scheme)
    open_mastodon(page)
    assert axe_violations(page) == []
