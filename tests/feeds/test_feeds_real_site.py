"""The real site's feeds: what it publishes, discovery and the subscribe page."""

from tests.feeds.feeds_helpers import ATOM, atom_entries, feed_files, parse_feed
from tests.harness import PUBLISHED_SITEURL

PUBLISHED_FEEDS = {
    "feeds/all.atom.xml",
    "feeds/all.rss.xml",
    "feeds/series/networking-in-practice.atom.xml",
    "feeds/series/networking-in-practice.rss.xml",
    "feeds/authors/site-author.atom.xml",
}
THEORY_ID = "tag:whoyouknow.example,2026-11-23:posts/networking-theory"


def test_published_site_feeds(published_site):
    files = feed_files(published_site.root)
    assert set(files) == PUBLISHED_FEEDS
    for name, path in files.items():
        root, parsed = parse_feed(path)
        text = path.read_text(encoding="utf-8")
        assert f"{PUBLISHED_SITEURL}/{name}" in text  # the self link
        # The announced guest post is in no feed.
        assert "social-media-job-search" not in text, name
        assert "127.0.0.1" not in text, name
        assert parsed.entries, name
    root, _ = parse_feed(files["feeds/series/networking-in-practice.atom.xml"])
    (entry,) = atom_entries(root)
    assert entry.findtext(f"{ATOM}id") == THEORY_ID
    assert entry.findtext(f"{ATOM}published") == "2026-11-23T09:00:00+00:00"
    assert "Part 1 of 2 of" in entry.findtext(f"{ATOM}content")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Site Author"


def test_every_page_links_the_site_feeds(site):
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        hrefs = doc.xpath("//head/link[@rel='alternate']/@href")
        assert len(hrefs) >= 2, html_file
        for href in hrefs:
            target = site.resolve(html_file, href)
            assert target is not None and target.is_file(), (html_file, href)


def test_the_theory_post_links_its_series_feeds(site):
    hrefs = site.page("posts/networking-theory/").xpath(
        "//head/link[@rel='alternate']/@href"
    )
    assert any(
        h.endswith("feeds/series/networking-in-practice.atom.xml") for h in hrefs
    )
    assert any(h.endswith("feeds/series/networking-in-practice.rss.xml") for h in hrefs)


def test_subscribe_page_lists_every_feed(site):
    doc = site.page("subscribe/")
    page_file = site.path("subscribe/")
    listed = {
        site.resolve(page_file, href).relative_to(site.root).as_posix()
        for href in doc.xpath("//section[@class='feed-list']//a/@href")
        if "feeds/" in href
    }
    assert listed == set(feed_files(site.root)) == PUBLISHED_FEEDS
    text = " ".join(doc.xpath("//main")[0].text_content().split())
    assert "feed reader" in text
    assert doc.xpath("//nav//a[@aria-current='page']/text()") == ["Subscribe"]
