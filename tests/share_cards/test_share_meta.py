"""Open Graph and Twitter card metadata, read as a crawler reads it.

Production builds (publishconf.py) of the real site and of a small test
site are parsed with extruct, a real Open Graph parser; every page kind must
unfurl with a title, description, canonical URL and a card image that is a
real file of the site within the size limits.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import urlsplit

import extruct
import pytest
from lxml import html as lxml_html
from pelican.plugins.share_cards.cards import MAX_CARD_BYTES
from PIL import Image

import pelicanconf
from tests.harness import PUBLISHED_SITEURL, build_site

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
TEST_SITEURL = "https://share.example"
REQUIRED = (
    "og:type",
    "og:title",
    "og:description",
    "og:url",
    "og:site_name",
    "og:locale",
    "og:image",
    "og:image:type",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
)
# Every kind of page of the real site, and the og:type it must have.
REAL_PAGES = {
    "": "website",
    "page/2/": None,  # only when the site has that many posts
    "archives/": "website",
    "tags/": "website",
    "tag/networking/": "website",
    "categories/": "website",
    "category/networking/": "website",
    "authors/": "website",
    "author/site-author/": "profile",
    "author/paul-weston/": "profile",
    "series/": "website",
    "series/networking-in-practice/": "website",
    "posts/networking-theory/": "article",
    "about/": "website",
    "network-audit/": "website",
    "subscribe/": "website",
}


def open_graph(site, relative: str) -> dict[str, list[str]]:
    """The page's Open Graph properties, name -> values, as extruct reads them."""
    text = site.text(relative)
    found = extruct.extract(
        text, base_url=site.settings["SITEURL"], syntaxes=["opengraph"], uniform=False
    )["opengraph"]
    properties: dict[str, list[str]] = {}
    for block in found:
        for name, value in block["properties"]:
            properties.setdefault(name, []).append(value)
    return properties


def meta_names(site, relative: str) -> dict[str, str]:
    """`<meta name=...>` values (twitter:*, robots)."""
    root = site.page(relative)
    return {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}


def canonical(site, relative: str) -> str | None:
    links = site.page(relative).xpath('//link[@rel="canonical"]/@href')
    assert len(links) <= 1
    return links[0] if links else None


def one(properties, name):
    values = properties.get(name, [])
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def assert_card(site, properties):
    """The og:image is an absolute URL of a PNG of the site, 1200x630, small."""
    siteurl = site.settings["SITEURL"]
    image_url = one(properties, "og:image")
    assert image_url.startswith(siteurl + "/"), image_url
    assert urlsplit(image_url).scheme == "https"
    path = site.root / image_url[len(siteurl) + 1 :]
    data = path.read_bytes()
    assert len(data) <= MAX_CARD_BYTES
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 630)
    assert one(properties, "og:image:width") == "1200"
    assert one(properties, "og:image:height") == "630"
    assert one(properties, "og:image:type") == "image/png"
    assert one(properties, "og:image:alt").strip()
    return path


@pytest.fixture(scope="module")
def cards_site(tmp_path_factory):
    return build_site(
        tmp_path_factory.mktemp("cards-site"),
        content=TEST_CONTENT,
        settings_file="publishconf.py",
        SITEURL=TEST_SITEURL,
        SHARE_CARDS_CACHE_PATH=str(tmp_path_factory.mktemp("cards-cache")),
        SHARE_CARDS_TWITTER_SITE="@WhoYouKnowBlog",
    )


@pytest.mark.parametrize("relative", [k for k, v in REAL_PAGES.items() if v])
def test_every_page_kind_of_the_real_site_unfurls(published_site, relative):
    properties = open_graph(published_site, relative)
    for name in REQUIRED:
        assert properties.get(name), f"{relative or '(home)'} has no {name}"
    assert one(properties, "og:type") == REAL_PAGES[relative]
    assert one(properties, "og:url") == canonical(published_site, relative)
    assert one(properties, "og:url") == f"{PUBLISHED_SITEURL}/{relative}"
    assert one(properties, "og:site_name") == "Who You Know"
    assert one(properties, "og:locale") == "en_GB"
    assert_card(published_site, properties)
    names = meta_names(published_site, relative)
    assert names["twitter:card"] == "summary_large_image"
    assert names["twitter:image:alt"] == one(properties, "og:image:alt")
    assert "twitter:site" not in names  # not set for the real site yet


def test_the_theory_post_is_an_article_with_its_own_card(published_site):
    relative = "posts/networking-theory/"
    properties = open_graph(published_site, relative)
    assert one(properties, "og:title").startswith("Networking, in theory")
    assert one(properties, "og:description").startswith("What networking is")
    assert one(properties, "article:published_time") == "2026-11-23T09:00:00+00:00"
    assert one(properties, "article:modified_time") == "2026-11-23T09:00:00+00:00"
    assert (
        one(properties, "article:author") == f"{PUBLISHED_SITEURL}/author/site-author/"
    )
    assert one(properties, "article:section") == "Networking"
    assert properties["article:tag"] == [
        "networking",
        "careers",
        "business development",
    ]
    card = assert_card(published_site, properties)
    assert card == published_site.root / "posts/networking-theory/card.png"
    alt = one(properties, "og:image:alt")
    assert "Part 1 of 2: Networking in practice" in alt
    assert "Site Author" in alt


def test_listings_share_the_site_card_and_pages_have_their_own(published_site):
    home = open_graph(published_site, "")["og:image"]
    assert home == [f"{PUBLISHED_SITEURL}/card.png"]
    assert open_graph(published_site, "tags/")["og:image"] == home
    assert open_graph(published_site, "about/")["og:image"] == [
        f"{PUBLISHED_SITEURL}/about/card.png"
    ]
    assert open_graph(published_site, "author/paul-weston/")["og:image"] == [
        f"{PUBLISHED_SITEURL}/author/paul-weston/card.png"
    ]


def test_an_announced_part_is_previewed_with_a_card_but_never_indexed(published_site):
    relative = "drafts/social-media-job-search/"
    properties = open_graph(published_site, relative)
    for name in REQUIRED:
        assert properties.get(name), name
    assert meta_names(published_site, relative)["robots"] == "noindex"
    assert canonical(published_site, relative) is None
    assert "article:author" not in properties
    assert_card(published_site, properties)
    # No share links: the draft's address is not the one it will have.
    assert not published_site.page(relative).xpath("//*[@data-share]")


def test_metadata_text_comes_out_as_text(cards_site):
    properties = open_graph(cards_site, "posts/hostile-title/")
    title = 'Tom & Jerry #1: "quotes" <b>and</b> Ünïcödé — 日本語のタイトル'
    assert one(properties, "og:title") == title
    assert title in one(properties, "og:image:alt")
    head = cards_site.page("posts/hostile-title/").find("head")
    assert head.xpath(".//b") == []


def test_co_written_series_part(cards_site):
    properties = open_graph(cards_site, "posts/co-written/")
    assert properties["article:author"] == [
        f"{TEST_SITEURL}/author/ada-example/",
        f"{TEST_SITEURL}/author/bo-guest/",
    ]
    assert one(properties, "article:modified_time") == "2026-11-22T10:00:00+00:00"
    alt = one(properties, "og:image:alt")
    assert "Part 1 of 3: Sharing tests" in alt
    assert "by Ada Example and Bo Guest" in alt
    assert (
        meta_names(cards_site, "posts/co-written/")["twitter:site"] == "@WhoYouKnowBlog"
    )
    assert_card(cards_site, properties)


def test_a_post_may_name_its_own_card_image(cards_site):
    properties = open_graph(cards_site, "posts/own-image/")
    assert one(properties, "og:image:alt") == "A test pattern photo"
    card = assert_card(cards_site, properties)
    with Image.open(card) as image:  # the photo: its yellow disc in the middle
        red, green, blue = image.convert("RGB").getpixel((600, 315))
    assert red > 230 and 180 < green < 230 and blue < 90


def test_a_missing_card_image_is_a_warning_and_the_card_is_drawn(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    site = build_site(
        tmp_path / "out",
        content=TEST_CONTENT,
        settings_file="publishconf.py",
        SITEURL=TEST_SITEURL,
        SHARE_CARDS_CACHE_PATH=str(tmp_path / "cache"),
    )
    warnings = [
        r.getMessage() for r in caplog.records if "Share_image" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "images/missing.png" in warnings[0]
    assert "bad-image.md" in warnings[0]
    properties = open_graph(site, "posts/bad-image/")
    assert "Card: A post naming" in one(properties, "og:image:alt")
    assert_card(site, properties)


def test_series_and_author_pages_have_cards(cards_site):
    series = open_graph(cards_site, "series/sharing-tests/")
    assert one(series, "og:title") == "Sharing tests"
    assert "Series in 3 parts" in one(series, "og:image:alt")
    assert_card(cards_site, series)
    author = open_graph(cards_site, "author/ada-example/")
    assert one(author, "og:type") == "profile"
    assert one(author, "og:title") == "Ada Example"
    assert "Test author with a photo" in one(author, "og:image:alt")
    assert_card(cards_site, author)


def test_local_preview_pages_carry_relative_metadata_and_no_canonical(site):
    root = site.page("posts/networking-theory/")
    assert root.xpath('//link[@rel="canonical"]') == []
    image = root.xpath('//meta[@property="og:image"]/@content')[0]
    assert image.endswith("posts/networking-theory/card.png")
    assert site.path("posts/networking-theory/card.png").is_file()


def test_pages_without_the_plugin_have_no_open_graph(tmp_path):
    plugins = [name for name in pelicanconf.PLUGINS if name != "share_cards"]
    site = build_site(tmp_path, content=TEST_CONTENT, PLUGINS=plugins)
    root = lxml_html.parse(str(site.path("posts/co-written/"))).getroot()
    assert root.xpath('//meta[starts-with(@property, "og:")]') == []
    assert root.xpath("//*[@data-share]") == []
