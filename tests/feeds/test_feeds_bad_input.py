"""Bad input: a warning naming the file, valid feeds, and the build goes on."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from pelican.plugins.feeds.entries import dated
from pelican.plugins.feeds.settings import checked_settings, read_config

from tests.feeds.feeds_helpers import (
    ATOM,
    atom_entries,
    atom_entry,
    atom_ids,
    atom_titles,
    build_blog,
    feed_files,
    parse_feed,
)

GOOD = "Title: Good\nDate: 2026-03-01 09:00\nSlug: good\n\nFine.\n"


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def _build(tmp_path, caplog, posts: dict[str, str], **settings):
    """Build one good post plus `posts`; every feed must still parse."""
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for name, text in {"good.md": GOOD, **posts}.items():
        (content / "posts" / name).write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        site = build_blog(tmp_path / "out", content=content, **settings)
    for path in feed_files(site.root).values():
        parse_feed(path)
    return site, content


def _titles(site, feed="feeds/all.atom.xml"):
    root, _ = parse_feed(site.root / feed)
    return atom_titles(root)


def test_post_without_date_is_named_and_left_out(tmp_path, caplog):
    # Pelican itself skips it (an error naming the file): it never reaches us.
    site, _ = _build(tmp_path, caplog, {"no-date.md": "Title: No date\n\nBody.\n"})
    assert any("no-date.md" in message for message in _warnings(caplog))
    assert "No date" not in _titles(site)


def test_unparsable_date_is_named_and_left_out(tmp_path, caplog):
    # Pelican skips it too, with a warning naming the file.
    post = "Title: Bad date\nDate: the day after tomorrow\n\nBody.\n"
    site, _ = _build(tmp_path, caplog, {"bad-date.md": post})
    assert any("bad-date.md" in message for message in _warnings(caplog))
    assert "Bad date" not in _titles(site)


def test_dates_that_reach_the_plugin_unusable(caplog):
    """What Pelican lets through (another plugin's edits): no date, a string."""
    with caplog.at_level(logging.WARNING):
        assert dated(SimpleNamespace(source_path="posts/none.md"), "UTC") is None
        text = SimpleNamespace(source_path="posts/text.md", date="tomorrow")
        assert dated(text, "UTC") is None
    messages = _warnings(caplog)
    assert any("posts/none.md has no date" in message for message in messages)
    assert any("posts/text.md" in m and "tomorrow" in m for m in messages)


def test_naive_date_gets_the_site_timezone_with_a_warning(caplog):
    article = SimpleNamespace(
        source_path="posts/naive.md",
        date=dt.datetime(2026, 7, 1, 9, 0),
        modified=dt.datetime(2026, 7, 2, 9, 0),
    )
    with caplog.at_level(logging.WARNING):
        post = dated(article, "Europe/London")
    assert post.published.isoformat() == "2026-07-01T09:00:00+01:00"
    assert post.updated.isoformat() == "2026-07-02T09:00:00+01:00"
    messages = _warnings(caplog)
    assert sum("posts/naive.md has no timezone" in m for m in messages) == 2


def test_naive_date_metadata_is_localised_by_pelican(tmp_path, caplog):
    """A `Date:` without an offset reaches the plugin in the site's timezone."""
    post = "Title: Naive\nDate: 2026-08-01 09:00\nSlug: naive\n\nBody.\n"
    site, _ = _build(tmp_path, caplog, {"naive.md": post})
    root, _ = parse_feed(site.root / "feeds/all.atom.xml")
    entry = atom_entry(root, "Naive")
    assert entry.findtext(f"{ATOM}published") == "2026-08-01T09:00:00+01:00"


def test_empty_title_is_named_and_titled_untitled(tmp_path, caplog):
    post = "Title:\nDate: 2026-03-02 09:00\nSlug: nameless\n\nA post without a title.\n"
    site, content = _build(tmp_path, caplog, {"no-title.md": post})
    source = str(content / "posts/no-title.md")
    assert any(source in m and "empty title" in m for m in _warnings(caplog)), (
        _warnings(caplog)
    )
    assert "Untitled" in _titles(site)


def test_series_without_published_parts_gets_no_feed(tmp_path, caplog):
    post = (
        "Title: Announced\nDate: 2026-09-01\nSeries: Future plans\nStatus: draft\n\n"
        "Soon.\n"
    )
    site, content = _build(tmp_path, caplog, {"announced.md": post})
    source = str(content / "posts/announced.md")
    assert any(
        "Future plans" in m and source in m and "no feed" in m
        for m in _warnings(caplog)
    ), _warnings(caplog)
    assert not any("future-plans" in name for name in feed_files(site.root))
    assert "Announced" not in _titles(site)


def test_duplicate_feed_id_names_both_files(tmp_path, caplog):
    duplicate = "Feed_id: tag:blog.example,2026-01-01:same\n"
    posts = {
        "first.md": "Title: First\nDate: 2026-02-01\n" + duplicate + "\nOne.\n",
        "second.md": "Title: Second\nDate: 2026-02-02\n" + duplicate + "\nTwo.\n",
    }
    site, content = _build(tmp_path, caplog, posts)
    first, second = str(content / "posts/first.md"), str(content / "posts/second.md")
    assert any(
        first in m and second in m and "already" in m for m in _warnings(caplog)
    ), _warnings(caplog)
    ids = atom_ids(site.root / "feeds/all.atom.xml")
    assert ids["First"] == "tag:blog.example,2026-01-01:same"
    assert ids["Second"] == "tag:blog.example,2026-02-02:posts/second"
    assert len(set(ids.values())) == len(ids)


def test_feed_id_that_is_not_a_uri_is_named_and_replaced(tmp_path, caplog):
    post = "Title: Odd id\nDate: 2026-02-03\nFeed_id: my post\n\nBody.\n"
    site, content = _build(tmp_path, caplog, {"odd-id.md": post})
    source = str(content / "posts/odd-id.md")
    assert any(source in m and "Feed_id" in m for m in _warnings(caplog))
    ids = atom_ids(site.root / "feeds/all.atom.xml")
    assert ids["Odd id"] == "tag:blog.example,2026-02-03:posts/odd-id"


def test_characters_xml_forbids_are_removed_with_a_warning(tmp_path, caplog):
    post = (
        "Title: Pasted\x0b title\nDate: 2026-02-04\nSlug: pasted\n"
        "Tags: odd\x01tag\n\nText\x01 pasted\x1f from elsewhere.\n"
    )
    site, content = _build(tmp_path, caplog, {"pasted.md": post})
    source = str(content / "posts/pasted.md")
    assert any(source in m and "XML forbids" in m for m in _warnings(caplog))
    for path in feed_files(site.root).values():
        text = path.read_text(encoding="utf-8")
        assert "\x01" not in text and "\x0b" not in text and "\x1f" not in text
    assert "Pasted title" in _titles(site)
    assert "Text pasted from elsewhere." in (site.root / "feeds/all.rss.xml").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("name", "value", "default"),
    [
        ("FEEDS_SITE_ATOM", "/feeds/all.xml", "feeds/all.atom.xml"),
        ("FEEDS_SITE_RSS", "../outside.xml", "feeds/all.rss.xml"),
        ("FEEDS_SERIES_ATOM", "feeds/series.xml", "feeds/series/{slug}.atom.xml"),
        ("FEEDS_AUTHOR_ATOM", "feeds/{author}.xml", "feeds/authors/{slug}.atom.xml"),
        ("FEEDS_MAX_ENTRIES", 0, 20),
        ("FEEDS_MAX_ENTRIES", "20", 20),
        ("FEEDS_SUMMARY_ONLY", "yes", False),
        ("FEEDS_PREVIEW_SITEURL", "localhost:8000", "http://127.0.0.1:8000"),
        ("FEEDS_ID_AUTHORITY", "https://example.com", None),
        ("FEEDS_SUBSCRIBE_URL", "javascript:alert(1)", None),
    ],
)
def test_a_bad_setting_is_named_and_its_default_used(name, value, default, caplog):
    with caplog.at_level(logging.WARNING):
        values = checked_settings({"SITEURL": "https://blog.example", name: value})
    [message] = _warnings(caplog)
    assert name in message and repr(value) in message
    assert f"using the default {default!r}" in message
    assert values[name] == default


def test_two_feeds_on_one_path_the_later_gives_way(caplog):
    with caplog.at_level(logging.WARNING):
        config = read_config(
            {"SITEURL": "https://blog.example", "FEEDS_SITE_RSS": "feeds/all.atom.xml"}
        )
    [message] = _warnings(caplog)
    assert "FEEDS_SITE_RSS" in message and "FEEDS_SITE_ATOM" in message
    assert (config.site_atom, config.site_rss) == (
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
    )


def test_a_bad_setting_is_warned_about_once_and_the_build_goes_on(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        site = build_blog(tmp_path / "out", FEEDS_MAX_ENTRIES=-1)
    about_it = [m for m in _warnings(caplog) if "FEEDS_MAX_ENTRIES" in m]
    assert len(about_it) == 1 and "-1" in about_it[0]
    root, _ = parse_feed(site.root / "feeds/all.atom.xml")
    # Every published post of the test blog (4): the default limit is 20.
    assert len(atom_entries(root)) == 4


def test_markup_in_names_stays_text(tmp_path, caplog):
    post = (
        "Title: Tags <b>and</b> & co\nDate: 2026-02-05\nSlug: markup\n"
        'Series: Q&A <script>alert("x")</script>\n\nBody.\n'
    )
    site, _ = _build(tmp_path, caplog, {"markup.md": post})
    assert "Tags <b>and</b> & co" in _titles(site)
    doc = site.page("posts/markup/")
    assert not doc.xpath("//head//script[contains(., 'alert')]")
    titles = doc.xpath("//head/link[@rel='alternate']/@title")
    assert 'Q&A <script>alert("x")</script> · Who You Know (Atom)' in titles
    series_feed = next(
        path for name, path in feed_files(site.root).items() if "series/" in name
    )
    root, _ = parse_feed(series_feed)
    assert root.findtext(f"{ATOM}title").startswith('Q&A <script>alert("x")</script>')


def test_post_without_author_gets_the_site_as_feed_author(tmp_path, caplog):
    site, _ = _build(tmp_path, caplog, {}, AUTHOR=None)
    root, _ = parse_feed(site.root / "feeds/all.atom.xml")
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Who You Know"
    assert atom_entries(root)[0].find(f"{ATOM}author") is None
