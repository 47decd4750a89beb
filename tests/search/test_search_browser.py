"""search in Chromium: the real site searched through its own forms.

Every test also checks that the page logged no error, broke no rule of the
Content-Security-Policy and asked no other host for anything.
"""

from __future__ import annotations

import re
import shutil

import pytest
from pelican import Pelican
from pelican.settings import read_settings
from playwright.sync_api import expect

from tests.harness import ROOT, assert_clean_in_browser, build_site, serve

THEORY = "posts/networking-theory/"
THEORY_TITLE = "Networking, in theory: why who you know is only half of it"
# In the theory post's body and in no other published page's indexed text
# (the network audit's checklist names it too, but is left out of the index).
THEORY_WORD = "Plaxo"
# In a draft added to the real content for the sub-path site below, and in
# no other page (Pagefind matches word stems: "announced" would find
# "announce" elsewhere).
DRAFT_WORD = "quillwort"
SECRET_DRAFT = f"""Title: Not yet
Date: 2026-11-30
Slug: not-yet
Status: draft
Tags: networking

A draft about the {DRAFT_WORD}, which nobody may find yet.
"""
# Recorded in every page of a context, before any script of the page runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(browser_context, page, watch):
    """The test's page, with CSP violations recorded as well."""
    browser_context.add_init_script(RECORD_CSP_VIOLATIONS)
    yield page
    assert page.evaluate("window.__cspViolations") == []
    assert watch.console_errors == []
    assert watch.offsite_requests == []


def search_from_header(page, url, query):
    """Types `query` in the header's search box of `url` and submits it."""
    page.goto(url)
    box = page.locator("header").get_by_role("searchbox", name="Search the site")
    box.fill(query)
    box.press("Enter")


def status(page):
    return page.locator("[data-search-status]")


def text_of_page(site, relative):
    """The text Pagefind indexes on a page: its data-pagefind-body, less what
    is ignored (data-pagefind-ignore, and the checklist's form, left out by
    SEARCH_IGNORE_SELECTORS)."""
    body = site.page(relative).xpath("//*[@data-pagefind-body]")[0]
    for left_out in body.xpath(
        ".//*[@data-pagefind-ignore] | .//form[@data-checklist]"
    ):
        left_out.drop_tree()
    return " ".join(body.text_content().split())


def test_the_theory_word_is_where_the_tests_say(site):
    """The premise of the search below, on the built pages."""
    assert THEORY_WORD in text_of_page(site, THEORY)
    for relative in ("about/", "network-audit/", "subscribe/"):
        assert THEORY_WORD.lower() not in text_of_page(site, relative).lower()


def test_a_word_of_the_theory_post_finds_it(watched, site_url):
    page = watched
    search_from_header(page, site_url, THEORY_WORD.lower())
    expect(page).to_have_url(site_url + "search/?q=plaxo")
    expect(status(page)).to_have_text("1 result for “plaxo”.")
    # Arriving from another page, the reader is taken to the outcome.
    expect(status(page)).to_be_focused()
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    link = result.get_by_role("link", name=THEORY_TITLE)
    expect(link).to_have_attribute("href", "/" + THEORY)
    expect(result.locator(".search-result-meta")).to_have_text(
        "23 November 2026 · Part 1 of 2 in Networking in practice"
    )
    expect(result.locator("time")).to_have_attribute(
        "datetime", "2026-11-23T09:00:00+00:00"
    )
    expect(result.locator(".search-result-excerpt mark")).to_have_text(
        re.compile("^Plaxo")
    )
    link.click()
    expect(page).to_have_url(site_url + THEORY)


def test_searching_again_on_the_search_page_keeps_the_reader_in_the_box(
    watched, site_url
):
    page = watched
    page.goto(site_url + "search/")
    expect(status(page)).to_be_hidden()  # nothing searched yet: nothing said
    box = page.get_by_role("searchbox", name="Search the posts and pages")
    box.fill("plaxo")
    box.press("Enter")
    expect(status(page)).to_have_text("1 result for “plaxo”.")
    expect(box).to_be_focused()
    expect(page).to_have_url(site_url + "search/?q=plaxo")
    box.fill("zzzqqq")
    box.press("Enter")
    expect(status(page)).to_have_text(re.compile("^No results for “zzzqqq”"))
    page.go_back()
    expect(status(page)).to_have_text("1 result for “plaxo”.")
    expect(box).to_have_value("plaxo")


def results_drawn(page):
    """The search has answered and its results are on the page."""
    expect(status(page)).to_have_text(re.compile(r"^\d+ results for “network”"))
    expect(page.locator(".search-result").first).to_be_visible()


def test_the_search_page_with_results_is_clean(page, watch, site_url):
    for scheme in ("light", "dark"):
        assert_clean_in_browser(
            page, watch, site_url + "search/?q=network", scheme, ready=results_drawn
        )


def test_without_javascript_the_form_leads_to_the_archives_and_tags(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        search_from_header(page, site_url + THEORY, "plaxo")
        expect(page).to_have_url(site_url + "search/?q=plaxo")
        # (Playwright's text matching skips <noscript>: find the note by class.)
        note = page.locator("noscript .search-note")
        expect(note).to_be_visible()
        assert note.evaluate("note => note.textContent").startswith(
            "Search needs JavaScript"
        )
        page.get_by_role("link", name="by tag").click()
        expect(page).to_have_url(site_url + "tags/")
    finally:
        context.close()


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory):
    """The real content plus a draft, built for http://host/blog/ and served
    from /blog/: a site on a sub-path, as on GitHub Pages project sites."""
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "posts" / "not-yet.md").write_text(SECRET_DRAFT, encoding="utf-8")
    parent = tmp_path_factory.mktemp("sub-path")
    url, server = serve(parent)
    site = build_site(
        parent / "blog",
        content=content,
        SITEURL=url + "blog",
        RELATIVE_URLS=False,
        FEEDS_PREVIEW_SITEURL=url + "blog",
    )
    yield site, url + "blog/"
    server.shutdown()


def test_search_works_under_a_sub_path(watched, sub_path_site):
    page = watched
    _, site_url = sub_path_site
    search_from_header(page, site_url + THEORY, "plaxo")
    expect(page).to_have_url(site_url + "search/?q=plaxo")
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.get_by_role("link")).to_have_attribute("href", "/blog/" + THEORY)
    result.get_by_role("link").click()
    expect(page).to_have_url(site_url + THEORY)


def test_a_word_only_in_a_draft_finds_nothing(watched, sub_path_site):
    page = watched
    site, site_url = sub_path_site
    draft = site.page("drafts/not-yet/").xpath(
        "string(//div[@class='post-body e-content'])"
    )
    assert DRAFT_WORD in draft  # the premise: the draft was built, with the word
    page.goto(site_url + f"search/?q={DRAFT_WORD}")
    expect(status(page)).to_have_text(
        f"No results for “{DRAFT_WORD}”. "
        "Try another word, or browse the posts by date or by tag."
    )
    expect(page.locator(".search-result")).to_have_count(0)


@pytest.fixture(scope="module")
def default_theme_site(tmp_path_factory):
    """Two posts built with nothing but Pelican's default theme and this
    plugin (no settings of the site's, no theme of ours), served."""
    root = tmp_path_factory.mktemp("default-theme")
    content = root / "content"
    content.mkdir()
    for slug, word in (("alpha", "okapi"), ("beta", "quokka")):
        (content / f"{slug}.md").write_text(
            f"Title: {slug.title()} post\nDate: 2026-01-01\n\nAbout the {word}.\n",
            encoding="utf-8",
        )
    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(root / "output"),
        "CACHE_PATH": str(root / "cache"),
        "PLUGINS": ["pagefind_search"],
        "SITENAME": "Default",
    }
    Pelican(read_settings(override=override)).run()
    url, server = serve(root / "output")
    yield url
    server.shutdown()


def test_search_works_in_the_default_theme(page, watch, default_theme_site):
    page.goto(default_theme_site + "search/?q=quokka")
    expect(status(page)).to_have_text("1 result for “quokka”.")
    link = page.locator(".search-result").get_by_role("link", name="Beta post")
    link.click()
    expect(page).to_have_url(default_theme_site + "beta-post.html")
    assert watch.console_errors == []
    assert watch.offsite_requests == []
