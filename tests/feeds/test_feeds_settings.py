"""FEEDS_* settings: which feeds exist, where, and how much they hold."""

from tests.feeds.feeds_helpers import (
    ATOM,
    CONTENT_ENCODED,
    build_blog,
    feed_files,
    parse_feed,
)


def test_paths_limits_and_summary_only(tmp_path):
    site = build_blog(
        tmp_path / "out",
        FEEDS_SITE_RSS=None,
        FEEDS_SERIES_ATOM=None,
        FEEDS_SERIES_RSS="rss/{slug}.xml",
        FEEDS_AUTHOR_RSS="feeds/authors/{slug}.rss.xml",
        FEEDS_MAX_ENTRIES=2,
        FEEDS_SUMMARY_ONLY=True,
        FEEDS_ID_AUTHORITY="old.example",
    )
    assert set(feed_files(site.root)) == {
        "feeds/all.atom.xml",
        "feeds/authors/ana-example.atom.xml",
        "feeds/authors/ana-example.rss.xml",
        "feeds/authors/bo-guest.atom.xml",
        "feeds/authors/bo-guest.rss.xml",
    }
    assert site.exists("rss/test-campaign.xml")

    root, _ = parse_feed(site.root / "feeds/all.atom.xml")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2  # FEEDS_MAX_ENTRIES
    for entry in entries:
        assert entry.find(f"{ATOM}content") is None
        assert "Part " in entry.findtext(f"{ATOM}summary")
        assert entry.findtext(f"{ATOM}id").startswith("tag:old.example,")

    ana, _ = parse_feed(site.root / "feeds/authors/ana-example.rss.xml")
    assert len(ana.findall("channel/item")) == 2
    assert ana.find("channel/item").find(CONTENT_ENCODED) is None

    # The series feed keeps every part whatever the limit, in the new place.
    series, _ = parse_feed(site.root / "rss/test-campaign.xml")
    assert len(series.findall("channel/item")) == 2
    links = site.page("posts/campaign-one/").xpath(
        "//head/link[@rel='alternate']/@href"
    )
    assert links == [
        "https://blog.example/feeds/all.atom.xml",
        "https://blog.example/rss/test-campaign.xml",
    ]
