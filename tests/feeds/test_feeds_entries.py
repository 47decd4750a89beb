"""The feeds of a small blog, parsed with lxml and feedparser, element by element."""

import html
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html
from pelican.plugins.feeds.entries import absolutize, part_text, series_of

from tests.feeds.feeds_helpers import (
    ATOM,
    CONTENT_ENCODED,
    DC_CREATOR,
    SITEURL,
    atom_entry,
    atom_titles,
    build_blog,
    feed_files,
    parse_feed,
)

CAMPAIGN_ONE = "Campaign, part one: the plan"
CAMPAIGN_TWO = "Campaign, part two: the contacts"
SOLO = "A solo post in winter"
MOVED = "A post that moved"
URL_ATTRIBUTES = ("href", "src", "srcset")


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    return build_blog(tmp_path_factory.mktemp("feeds-blog"))


def _atom(blog, name):
    return parse_feed(blog.root / "feeds" / name)


def test_writes_the_default_feeds_and_every_one_parses(blog):
    files = feed_files(blog.root)
    assert set(files) == {
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "feeds/series/test-campaign.atom.xml",
        "feeds/series/test-campaign.rss.xml",
        "feeds/authors/ana-example.atom.xml",
        "feeds/authors/bo-guest.atom.xml",
    }
    for path in files.values():
        parse_feed(path)  # lxml and feedparser (no bozo)


def test_site_atom_feed_head(blog):
    root, parsed = _atom(blog, "all.atom.xml")
    assert root.findtext(f"{ATOM}id") == f"{SITEURL}/feeds/all.atom.xml"
    assert root.findtext(f"{ATOM}title") == "Who You Know"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "self": f"{SITEURL}/feeds/all.atom.xml",
        "alternate": f"{SITEURL}/",
    }
    # The feed's updated time is its newest entry's (part two was modified),
    # never the build time.
    assert root.findtext(f"{ATOM}updated") == "2026-06-09T12:30:00+01:00"
    assert root.findtext(f"{ATOM}generator") == "Pelican feeds plugin (feedgen)"
    assert parsed.feed.title == "Who You Know"


def test_site_feed_lists_published_posts_newest_first_without_drafts(blog):
    root, _ = _atom(blog, "all.atom.xml")
    assert atom_titles(root) == [CAMPAIGN_TWO, CAMPAIGN_ONE, SOLO, MOVED]
    for path in feed_files(blog.root).values():
        text = path.read_text(encoding="utf-8")
        assert "part three" not in text, path
        assert "drafts/" not in text, path


def test_entry_ids_links_and_dates_with_offsets(blog):
    root, _ = _atom(blog, "all.atom.xml")
    one = atom_entry(root, CAMPAIGN_ONE)
    assert one.findtext(f"{ATOM}id") == "tag:blog.example,2026-06-01:posts/campaign-1"
    assert one.find(f"{ATOM}link").get("href") == f"{SITEURL}/posts/campaign-one/"
    # Summer in Europe/London: +01:00; winter: +00:00.
    assert one.findtext(f"{ATOM}published") == "2026-06-01T10:00:00+01:00"
    assert one.findtext(f"{ATOM}updated") == "2026-06-01T10:00:00+01:00"
    two = atom_entry(root, CAMPAIGN_TWO)
    assert two.findtext(f"{ATOM}published") == "2026-06-08T10:00:00+01:00"
    assert two.findtext(f"{ATOM}updated") == "2026-06-09T12:30:00+01:00"
    solo = atom_entry(root, SOLO)
    assert solo.findtext(f"{ATOM}published") == "2026-01-15T08:00:00+00:00"


def test_feed_id_metadata_overrides_the_derived_id(blog):
    root, _ = _atom(blog, "all.atom.xml")
    moved = atom_entry(root, MOVED)
    assert moved.findtext(f"{ATOM}id") == "tag:old.example,2020-05-05:original-post"
    assert moved.find(f"{ATOM}link").get("href") == f"{SITEURL}/posts/moved-post/"


def test_authors_come_from_profiles_with_their_pages(blog):
    root, _ = _atom(blog, "all.atom.xml")
    authors = [
        (author.findtext(f"{ATOM}name"), author.findtext(f"{ATOM}uri"))
        for author in atom_entry(root, CAMPAIGN_TWO).findall(f"{ATOM}author")
    ]
    assert authors == [
        ("Ana Q. Example", f"{SITEURL}/author/ana-example/"),
        ("Bo Guest", f"{SITEURL}/author/bo-guest/"),
    ]


def test_rss_uses_dc_creator_for_every_author(blog):
    root, parsed = parse_feed(blog.root / "feeds/all.rss.xml")
    channel = root.find("channel")
    assert channel.findtext("lastBuildDate") == "Tue, 09 Jun 2026 12:30:00 +0100"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("href") == f"{SITEURL}/feeds/all.rss.xml"
    assert channel.findtext("link") == f"{SITEURL}/"
    items = {item.findtext("title"): item for item in channel.findall("item")}
    two = items[CAMPAIGN_TWO]
    assert [c.text for c in two.findall(DC_CREATOR)] == ["Ana Q. Example", "Bo Guest"]
    assert two.findall("author") == []
    guid = two.find("guid")
    assert guid.text == "tag:blog.example,2026-06-08:posts/campaign-2"
    assert guid.get("isPermaLink") == "false"
    assert two.findtext("pubDate") == "Mon, 08 Jun 2026 10:00:00 +0100"
    assert parsed.entries[0].authors == [
        {"name": "Ana Q. Example"},
        {"name": "Bo Guest"},
    ]


def test_categories_and_tags(blog):
    root, _ = _atom(blog, "all.atom.xml")
    terms = [
        c.get("term") for c in atom_entry(root, CAMPAIGN_ONE).findall(f"{ATOM}category")
    ]
    assert terms == ["Careers", "networking", "job search"]
    rss, _ = parse_feed(blog.root / "feeds/all.rss.xml")
    item = next(i for i in rss.iter("item") if i.findtext("title") == CAMPAIGN_ONE)
    assert [c.text for c in item.findall("category")] == terms


def _urls(fragment: str):
    doc = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in doc.iter():
        for attribute in URL_ATTRIBUTES:
            value = element.get(attribute)
            if value and attribute == "srcset":
                yield from (c.split()[0] for c in value.split(","))
            elif value:
                yield value


def test_every_url_in_content_and_summary_is_absolute(blog):
    root, _ = _atom(blog, "all.atom.xml")
    one = atom_entry(root, CAMPAIGN_ONE)
    content = one.findtext(f"{ATOM}content")
    urls = list(_urls(content)) + list(_urls(one.findtext(f"{ATOM}summary")))
    assert len(urls) >= 10
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in {"https", "mailto"}, url
        if parts.scheme == "https":
            assert url.startswith(f"{SITEURL}/"), url
    assert f"{SITEURL}/images/chart.svg" in urls
    assert f"{SITEURL}/posts/campaign-two/" in urls
    assert f"{SITEURL}/posts/solo-post/" in urls
    assert f"{SITEURL}/posts/campaign-one/#the-plan" in urls
    assert "mailto:ana@example.org" in urls


def test_series_parts_say_which_part_they_are(blog):
    root, _ = _atom(blog, "all.atom.xml")
    for title, position in ((CAMPAIGN_ONE, 1), (CAMPAIGN_TWO, 2)):
        entry = atom_entry(root, title)
        for field in ("content", "summary"):
            doc = lxml_html.fragment_fromstring(
                entry.findtext(f"{ATOM}{field}"), create_parent="div"
            )
            first = doc[0]
            # Three parts: two published, one announced.
            assert first.text_content() == f"Part {position} of 3 of Test campaign"
            assert first.xpath(".//a/@href") == [f"{SITEURL}/series/test-campaign/"]
    assert "Part " not in atom_entry(root, SOLO).findtext(f"{ATOM}content")


def test_series_feeds_hold_the_published_parts(blog):
    root, parsed = _atom(blog, "series/test-campaign.atom.xml")
    assert root.findtext(f"{ATOM}title") == "Test campaign · Who You Know"
    assert atom_titles(root) == [CAMPAIGN_TWO, CAMPAIGN_ONE]
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"{SITEURL}/feeds/series/test-campaign.atom.xml"
    assert links["alternate"] == f"{SITEURL}/series/test-campaign/"
    rss, rss_parsed = parse_feed(blog.root / "feeds/series/test-campaign.rss.xml")
    channel = rss.find("channel")
    assert channel.findtext("title") == "Test campaign · Who You Know"
    assert channel.find(f"{ATOM}link").get("href") == (
        f"{SITEURL}/feeds/series/test-campaign.rss.xml"
    )
    assert [i.findtext("title") for i in channel.findall("item")] == [
        CAMPAIGN_TWO,
        CAMPAIGN_ONE,
    ]
    assert parsed.feed.title == rss_parsed.feed.title


def test_author_feeds_hold_each_coauthors_posts(blog):
    ana, _ = _atom(blog, "authors/ana-example.atom.xml")
    assert ana.findtext(f"{ATOM}title") == "Posts by Ana Example · Who You Know"
    assert atom_titles(ana) == [CAMPAIGN_TWO, CAMPAIGN_ONE, MOVED]
    bo, _ = _atom(blog, "authors/bo-guest.atom.xml")
    assert atom_titles(bo) == [CAMPAIGN_TWO, SOLO]
    alternate = bo.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"{SITEURL}/author/bo-guest/"


def test_full_content_in_rss_content_encoded(blog):
    rss, _ = parse_feed(blog.root / "feeds/all.rss.xml")
    item = next(i for i in rss.iter("item") if i.findtext("title") == CAMPAIGN_ONE)
    assert "A chart of contacts" in item.findtext(CONTENT_ENCODED)
    assert "A chart of contacts" not in item.findtext("description")


def test_head_links_on_every_kind_of_page(blog):
    site_links = {"/feeds/all.atom.xml", "/feeds/all.rss.xml"}
    series_links = {
        "/feeds/series/test-campaign.atom.xml",
        "/feeds/series/test-campaign.rss.xml",
    }
    expected = {
        "": site_links,
        "posts/a-solo-post-in-winter/": site_links,
        "posts/campaign-one/": site_links | series_links,
        "drafts/campaign-three/": site_links | series_links,
        "author/bo-guest/": site_links | {"/feeds/authors/bo-guest.atom.xml"},
        "series/test-campaign/": site_links | series_links,
    }
    for url, links in expected.items():
        doc = blog.page(url)
        hrefs = doc.xpath("//head/link[@rel='alternate']/@href")
        assert {href.removeprefix(SITEURL) for href in hrefs} == links, url
        for href in hrefs:
            assert blog.resolve(blog.path(url), href).is_file(), href


def test_follow_links_on_series_and_author_pages(blog):
    series = blog.page("series/test-campaign/")
    follow = series.xpath("//main//p[@class='feed-follow']")[0]
    assert "Follow this series" in follow.text_content()
    assert follow.xpath(".//a/@href")[:2] == [
        f"{SITEURL}/feeds/series/test-campaign.atom.xml",
        f"{SITEURL}/feeds/series/test-campaign.rss.xml",
    ]
    author = blog.page("author/ana-example/")
    follow = author.xpath("//main//p[@class='feed-follow']")[0]
    assert (
        follow.xpath(".//a/@href")[0] == f"{SITEURL}/feeds/authors/ana-example.atom.xml"
    )
    assert " ".join(follow.text_content().split()).startswith("Follow Ana")


BASE = "https://e.example/posts/p/"


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="../x/">x</a>', '<a href="https://e.example/posts/x/">x</a>'),
        ("<img src='i.png' alt=''>", f"<img src=\"{BASE}i.png\" alt=''>"),
        (
            "<a HREF=/y?a=1&amp;b=2>y</a>",
            '<a href="https://e.example/y?a=1&amp;b=2">y</a>',
        ),
        (
            '<img srcset="a.png 1x, b.png 2x">',
            f'<img srcset="{BASE}a.png 1x, {BASE}b.png 2x">',
        ),
        # Only real attributes of real tags change.
        ('<p title="a > b" data-x="href=z">', '<p title="a > b" data-x="href=z">'),
        ('<code>&lt;a href="no"&gt;</code>', '<code>&lt;a href="no"&gt;</code>'),
        ('<a href="mailto:a@b.example">m</a>', '<a href="mailto:a@b.example">m</a>'),
        ('<a href="#s">s</a>', f'<a href="{BASE}#s">s</a>'),
    ],
)
def test_absolutize(fragment, expected):
    assert absolutize(fragment, BASE) == expected


@pytest.mark.parametrize("page", [BASE, BASE + "#top"])
@pytest.mark.parametrize("href", ["#s", "#a%20b", "#caf\u00e9", "#a&amp;b", "#"])
def test_absolutize_links_within_the_post_as_urljoin_does(page, href):
    """The shortcut for "#..." links (every heading's permalink) is urljoin's answer."""
    expected = html.escape(urljoin(page, html.unescape(href)), quote=True)
    assert absolutize(f'<a href="{href}">', page) == f'<a href="{expected}">'


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # Unclosed tags: none is a tag, so nothing changes.
        ("<a href=x " * 4000, "<a href=x " * 4000),
        # Only the last is a whole tag (with an empty src, the page itself).
        ('<img src="' * 4000 + '">', '<img src="' * 3999 + f'<img src="{BASE}">'),
    ],
)
def test_absolutize_on_broken_tags(fragment, expected):
    """Unclosed tags come out as they went in. (That the tag regex stays
    linear on them is a matter of speed, not tested here: a test with a
    stopwatch would fail on a busy machine.)"""
    assert absolutize(fragment, BASE) == expected


def test_part_number_counts_announced_parts_before_it():
    """Part 3 published, part 2 only announced: the entry says what the page says."""
    article = SimpleNamespace(
        series={
            "name": "Test campaign",
            "slug": "test-campaign",
            "url": "series/test-campaign/",
            "index": 2,
            "position": 3,
            "total": 3,
        }
    )
    text = part_text(series_of(article), SITEURL)
    assert "Part 3 of 3 of" in text
