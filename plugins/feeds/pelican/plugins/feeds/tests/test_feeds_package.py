"""The feeds package on its own: a small site built with Pelican, the
plugin and nothing else, its feeds read back with feedparser."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import feedparser
from jinja2 import Environment, FileSystemLoader
from lxml import html
from pelican.plugins.feeds.feeds import FILES, GENERATOR
from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
SITEURL = "https://example.org"
POSTS = {
    "first.md": "Title: First post\nDate: 2026-01-01 09:00\nAuthor: Ann Writer\n\n"
    "The first words.\n",
    "second.md": "Title: Second post\nDate: 2026-01-02 09:00\nAuthor: Ann Writer\n\n"
    "More words, and a [link](/elsewhere/).\n",
}
INCLUDE_LINE = '{% include "feeds/head.html" %}'
LOGGER = "pelican.plugins.feeds"


def build(tmp_path: Path, caplog, **settings) -> Path:
    """Build two posts with only the feeds plugin; return the output folder."""
    content = tmp_path / "content"
    content.mkdir()
    for name, text in POSTS.items():
        (content / name).write_text(text, encoding="utf-8")
    with caplog.at_level(logging.INFO):
        return build_site(
            content,
            tmp_path / "output",
            ["feeds"],
            feeds=True,
            SITEURL=SITEURL,
            SITENAME="Example",
            **settings,
        )


def feed(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_default_theme_gets_the_feeds_and_a_warning_naming_the_partial(
    tmp_path, caplog
):
    output = build(tmp_path, caplog)  # THEME unset: Pelican's default theme

    site = feed(output / "feeds/all.atom.xml")
    # The plugin's feed, written after (and in place of) Pelican's own one
    # at FEED_ALL_ATOM, which the default theme links.
    assert site.feed.generator == GENERATOR
    assert [entry.title for entry in site.entries] == ["Second post", "First post"]
    assert site.entries[0].link == f"{SITEURL}/second-post.html"
    assert f'href="{SITEURL}/elsewhere/"' in site.entries[0].content[0].value
    rss = feed(output / "feeds/all.rss.xml")
    assert len(rss.entries) == 2
    author = feed(output / "feeds/authors/ann-writer.atom.xml")
    assert [entry.title for entry in author.entries] == ["Second post", "First post"]

    [warning] = warnings(caplog, LOGGER)
    assert INCLUDE_LINE in warning and "base.html" in warning


def test_a_theme_that_includes_the_partials(tmp_path, caplog):
    output = build(tmp_path, caplog, THEME=str(TEST_DATA / "theme"))
    page = html.parse(str(output / "first-post.html")).getroot()
    # (The simple theme links Pelican's own feed settings' paths too.)
    links = page.xpath("//head/link[@rel='alternate'][contains(@title, ' (')]")
    assert [(link.get("title"), link.get("href")) for link in links] == [
        ("Example (Atom)", f"{SITEURL}/feeds/all.atom.xml"),
        ("Example (RSS)", f"{SITEURL}/feeds/all.rss.xml"),
    ]
    [follow] = page.xpath("//p[@class='feed-follow']")
    assert " ".join(follow.text_content().split()).startswith("Follow Ann Writer")
    [atom] = follow.xpath(".//a")
    assert atom.get("href") == f"{SITEURL}/feeds/authors/ann-writer.atom.xml"
    assert atom.get("aria-label") == "Atom feed of posts by Ann Writer"
    assert not follow.xpath(".//a[.='what is this?']")  # FEEDS_SUBSCRIBE_URL unset
    assert warnings(caplog, LOGGER) == []


def test_a_bad_setting_is_warned_about_and_its_default_used(tmp_path, caplog):
    output = build(
        tmp_path,
        caplog,
        THEME=str(TEST_DATA / "theme"),
        FEEDS_MAX_ENTRIES="many",
        FEEDS_SITE_RSS="../outside.xml",
    )
    assert sorted(warnings(caplog, LOGGER)) == [
        (
            "feeds: FEEDS_MAX_ENTRIES = 'many' is not a whole number of at least 1 "
            "or None; using the default 20"
        ),
        (
            "feeds: FEEDS_SITE_RSS = '../outside.xml' is not a relative path inside "
            "the output folder; using the default 'feeds/all.rss.xml'"
        ),
    ]
    assert len(feed(output / "feeds/all.atom.xml").entries) == 2
    assert len(feed(output / "feeds/all.rss.xml").entries) == 2
    assert not (tmp_path / "outside.xml").exists()


def test_the_follow_partials_escape_names_themselves():
    """Safe in an environment without autoescape, as Pelican's default is."""
    env = Environment(loader=FileSystemLoader(str(FILES.templates)), autoescape=False)
    hostile = '"><img src=x onerror=alert(1)>'
    feeds = {
        "series_by_slug": {"s": {"atom": "s.atom.xml", "rss": "s.rss.xml"}},
        "authors_by_slug": {"a": {"atom": "a.atom.xml", "rss": None}},
        "subscribe_url": "subscribe/",
    }
    series = {"slug": "s", "name": hostile}
    author = SimpleNamespace(slug="a", name=hostile)
    for template, context in (
        ("feeds/follow_series.html", {"series": series}),
        ("feeds/follow_author.html", {"author": author}),
    ):
        rendered = env.get_template(template).render(feeds=feeds, SITEURL="", **context)
        fragment = html.fragment_fromstring(rendered, create_parent="div")
        assert not fragment.xpath("//img | //@onerror"), rendered
        assert "&lt;img" in rendered
        assert fragment.xpath("//a[.='what is this?']/@href") == ["/subscribe/"]
