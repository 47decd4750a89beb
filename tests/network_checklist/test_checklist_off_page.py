"""Checklists away from their page: in feeds, summaries and share descriptions a
checklist is a plain list of its items and a link to fill it in, never a form."""

import feedparser
import pytest
from markdown import Markdown
from pelican.plugins.network_checklist.off_page import (
    FILL_IN,
    auto_summary,
    checklists_as_lists,
)

from tests.harness import build_site

POST = """Title: Count your circles
Date: 2026-11-30 09:00
Slug: circles
{summary}
Start by counting.

::: checklist
id: circles
title: Your circles
counts: yes
closeness: yes
plan: yes

- [ ] Alumni {{#alumni}}
- [ ] Neighbours & friends {{#neighbours}}
:::

Then follow up.
"""
ITEMS = ["Alumni", "Neighbours &amp; friends"]
# What the form says and a reader of the post away from its page must not see.
FORM_WORDS = [
    "<form",
    "<input",
    "<select",
    "<button",
    "<label",
    "How many people",
    "How well",
    "Not set",
    "Next step",
    "Follow up on",
    "Export answers",
    "Save this audit",
    "Download reminders",
    "Import answers",
    "Submit",
    "Print",
    "Reset",
]


def _form() -> str:
    """The post's body as the extension renders it."""
    body = POST.format(summary="").split("\n\n", 1)[1]
    md = Markdown(
        extensions=["pelican.plugins.network_checklist.extension"],
        output_format="html5",
    )
    return md.convert(body)


def _assert_plain(html: str, link: str):
    for word in FORM_WORDS:
        assert word not in html, word
    for item in ITEMS:
        assert f"<li>{item}</li>" in html
    assert f'<a href="{link}">{FILL_IN}</a>' in html


def test_a_form_becomes_its_title_items_and_a_link():
    html = _form()
    assert "<form" in html
    plain = checklists_as_lists(html)
    _assert_plain(plain, "#checklist-circles")
    assert plain.startswith(
        "<p>Start by counting.</p>\n<p><strong>Your circles</strong></p>\n"
    )
    assert plain.endswith("<p>Then follow up.</p>")


def test_html_without_a_checklist_is_untouched():
    html = '<form class="search"><input name="q"></form><p>Text.</p>'
    assert checklists_as_lists(html) is html


def test_auto_summary_is_cut_from_the_plain_list():
    settings = {"SUMMARY_MAX_LENGTH": 7, "SUMMARY_END_SUFFIX": "…"}
    summary = auto_summary(_form(), settings)
    assert "<li>Alumni</li>" in summary
    assert "<form" not in summary and "How many" not in summary
    assert "…" in summary and FILL_IN not in summary


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two posts with a checklist: one without a Summary, one with."""
    content = tmp_path_factory.mktemp("off-page-content")
    posts = content / "posts"
    posts.mkdir()
    (posts / "circles.md").write_text(POST.format(summary=""), encoding="utf-8")
    (posts / "summarised.md").write_text(
        POST.format(summary="Summary: Count them, then follow up.\n")
        .replace("Slug: circles", "Slug: summarised")
        .replace("2026-11-30", "2026-11-29"),
        encoding="utf-8",
    )
    return build_site(tmp_path_factory.mktemp("off-page"), content=content)


def test_feed_entry_is_a_plain_list_and_a_link(site):
    for path in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
        feed = feedparser.parse(site.text(path))
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        entries = {entry.link: entry for entry in feed.entries}
        link = next(url for url in entries if url.endswith("/posts/circles/"))
        entry = entries[link]
        content = entry.content[0].value
        _assert_plain(content, link + "#checklist-circles")
        assert "Start by counting." in content
        assert "Then follow up." in content
        # The summary is the plain list too (Pelican cuts it from the content).
        assert "How many" not in entry.summary and "Alumni" in entry.summary


def test_page_itself_keeps_the_form(site):
    doc = site.page("posts/circles/")
    assert doc.xpath("//main//form[@data-checklist='circles']//input[@type='number']")
    assert not doc.xpath("//main//a[text()=$text]", text=FILL_IN)


def test_description_and_listing_excerpt_name_the_items_not_the_form(site):
    doc = site.page("posts/circles/")
    descriptions = doc.xpath(
        "//meta[@name='description']/@content"
        " | //meta[@property='og:description']/@content"
    )
    assert descriptions
    for description in descriptions:
        assert "Alumni" in description and "Neighbours & friends" in description
        for word in FORM_WORDS:
            assert word not in description, word
    excerpts = site.page("").xpath("//article[.//a[contains(@href, 'circles')]]")
    assert excerpts
    excerpt = " ".join(excerpts[0].text_content().split())
    assert "Alumni" in excerpt and "How many" not in excerpt


def test_an_author_summary_is_kept(site):
    doc = site.page("posts/summarised/")
    assert doc.xpath("//meta[@name='description']/@content") == [
        "Count them, then follow up."
    ]
