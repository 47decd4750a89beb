"""No churn: identical bytes, ids that survive edits, and preview builds."""

import logging

from tests.feeds.feeds_helpers import (
    ATOM,
    atom_entries,
    atom_ids,
    build_blog,
    copy_blog,
    feed_files,
    parse_feed,
)
from tests.harness import build_site


def test_two_builds_write_byte_identical_feeds(tmp_path):
    first = build_blog(tmp_path / "first")
    second = build_blog(tmp_path / "second")
    first_files, second_files = feed_files(first.root), feed_files(second.root)
    assert first_files.keys() == second_files.keys()
    assert len(first_files) == 6
    for name, path in first_files.items():
        assert path.read_bytes() == second_files[name].read_bytes(), name


def test_ids_survive_a_title_change(tmp_path):
    content = copy_blog(tmp_path)
    before = build_blog(tmp_path / "before", content=content)
    old_ids = atom_ids(before.root / "feeds/all.atom.xml")

    solo = content / "posts/solo.md"
    solo.write_text(
        solo.read_text(encoding="utf-8").replace(
            "Title: A solo post in winter", "Title: A solo post, renamed"
        ),
        encoding="utf-8",
    )
    after = build_blog(tmp_path / "after", content=content)
    new_ids = atom_ids(after.root / "feeds/all.atom.xml")

    assert "A solo post, renamed" in new_ids
    assert new_ids["A solo post, renamed"] == old_ids["A solo post in winter"]
    assert sorted(new_ids.values()) == sorted(old_ids.values())
    # The slug came from the title, so the URL did change: the id did not follow it.
    root, _ = parse_feed(after.root / "feeds/all.atom.xml")
    links = [e.find(f"{ATOM}link").get("href") for e in atom_entries(root)]
    assert "https://blog.example/posts/a-solo-post-renamed/" in links


def test_preview_build_writes_feeds_against_the_preview_address(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="pelican.plugins.feeds"):
        site = build_site(tmp_path / "out", content=copy_blog(tmp_path))
    root, _ = parse_feed(site.root / "feeds/all.atom.xml")
    assert root.findtext(f"{ATOM}id") == "http://127.0.0.1:8000/feeds/all.atom.xml"
    first_id = atom_entries(root)[0].findtext(f"{ATOM}id")
    assert first_id.startswith("tag:127.0.0.1,2026-06-08:")
    assert any("FEEDS_PREVIEW_SITEURL" in r.getMessage() for r in caplog.records)
    # Head links stay relative like every other link of a preview build.
    hrefs = site.page("").xpath("//head/link[@rel='alternate']/@href")
    assert len(hrefs) == 2
    for href in hrefs:
        assert not href.startswith("http"), href
        assert site.resolve(site.path(""), href).is_file(), href


def test_preview_build_without_preview_address_writes_no_feeds(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        site = build_site(
            tmp_path / "out", content=copy_blog(tmp_path), FEEDS_PREVIEW_SITEURL=None
        )
    assert not (site.root / "feeds").exists()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("no feeds written" in message for message in messages) == 1
    for url in ("", "posts/campaign-one/", "author/ana-example/"):
        assert site.page(url).xpath("//head/link[@rel='alternate']") == [], url
    assert site.page("series/test-campaign/").xpath("//p[@class='feed-follow']") == []
