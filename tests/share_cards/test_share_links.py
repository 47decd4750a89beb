"""Share links: plain links, correctly encoded, on posts and series pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pelican.plugins.share_cards.share_cards import mastodon_share_url, share_links

from tests.harness import PUBLISHED_SITEURL

AWKWARD_TITLE = 'Tom & Jerry #1: "quotes", 50% off + Ünïcödé — 日本語 <b>?</b>'
PAGE = "https://whoyouknow.example/posts/tom-and-jerry/"


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True, strict_parsing=True)


def test_links_carry_the_title_and_address_exactly():
    links = {link.network: link.href for link in share_links(AWKWARD_TITLE, PAGE)}
    assert list(links) == ["x", "linkedin", "bluesky", "email"]
    assert links["x"].startswith("https://x.com/intent/post?")
    assert query(links["x"]) == {"text": [AWKWARD_TITLE], "url": [PAGE]}
    assert links["linkedin"].startswith(
        "https://www.linkedin.com/sharing/share-offsite/?"
    )
    assert query(links["linkedin"]) == {"url": [PAGE]}
    assert links["bluesky"].startswith("https://bsky.app/intent/compose?")
    assert query(links["bluesky"]) == {"text": [f"{AWKWARD_TITLE} {PAGE}"]}
    assert links["email"].startswith("mailto:?")
    assert query(links["email"]) == {"subject": [AWKWARD_TITLE], "body": [PAGE]}


@pytest.mark.parametrize("network", ["x", "linkedin", "bluesky", "email"])
def test_links_are_fully_percent_encoded(network):
    (href,) = [x.href for x in share_links(AWKWARD_TITLE, PAGE) if x.network == network]
    query_text = urlsplit(href).query
    # Nothing that could end the query, start a fragment or be read as a
    # space or markup: "&" only between parameters, no "#", "+", quotes, "<".
    assert "#" not in href
    for character in ' "<>+':
        assert character not in query_text
    assert query_text.count("&") == len(query(href)) - 1
    assert query_text.isascii()


def test_no_tracking_parameters():
    for link in share_links("A title", PAGE):
        assert not any(key.startswith("utm_") for key in query(link.href))


def test_mastodon_address():
    url = mastodon_share_url("mastodon.social", f"{AWKWARD_TITLE} {PAGE}")
    assert url.startswith("https://mastodon.social/share?")
    assert query(url) == {"text": [f"{AWKWARD_TITLE} {PAGE}"]}


def share_section(site, relative):
    (section,) = site.page(relative).xpath("//section[@data-share]")
    return section


def test_the_theory_post_offers_every_way_to_share(published_site):
    section = share_section(published_site, "posts/networking-theory/")
    url = f"{PUBLISHED_SITEURL}/posts/networking-theory/"
    assert section.get("data-share-url") == url
    assert section.get("data-share-title").startswith("Networking, in theory")
    labels = [a.text_content().strip() for a in section.xpath(".//a")]
    assert labels == ["X", "LinkedIn", "Bluesky", "E-mail"]
    for href in section.xpath(".//a/@href"):
        values = [value for values in query(href).values() for value in values]
        assert any(url in value for value in values), href
    # The widget's parts: a form for Mastodon and two buttons, hidden until
    # share.js shows them; without JavaScript a note says what to do.
    assert section.xpath(".//form[@data-share-mastodon][@hidden]")
    assert section.xpath(".//*[@data-share-mastodon-manual][not(@hidden)]")
    assert len(section.xpath(".//li[@hidden]/button")) == 2
    # share.js ships with the plugin, which copies it into the theme's folder.
    (script,) = published_site.page("posts/networking-theory/").xpath(
        '//script[@type="module"][contains(@src, "/share_cards/share.js")]/@src'
    )
    assert published_site.exists(script.split("?")[0].removeprefix(PUBLISHED_SITEURL))


def test_series_pages_offer_share_links(published_site):
    section = share_section(published_site, "series/networking-in-practice/")
    assert section.get("data-share-title") == "Networking in practice"
    assert section.xpath(".//h2")[0].text == "Share this series"


@pytest.mark.parametrize(
    "relative", ["", "about/", "network-audit/", "author/paul-weston/"]
)
def test_other_pages_load_no_share_script(published_site, relative):
    root = published_site.page(relative)
    assert root.xpath("//section[@data-share]") == []
    assert root.xpath('//script[contains(@src, "share.js")]') == []
