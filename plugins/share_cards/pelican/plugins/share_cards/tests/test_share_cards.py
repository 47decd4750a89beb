"""The package on its own: small sites built with Pelican and only this plugin."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pelican_plugin_kit.testing import build_site

TEST_DATA = Path(__file__).parent / "test_data"
INCLUDE = '{% include "share_cards/head.html" %}'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cards_cache(tmp_path_factory) -> Path:
    """One cache of drawn cards for the module's builds: they draw the same
    cards, so only the first build spends time drawing them."""
    return tmp_path_factory.mktemp("cards-cache")


@pytest.fixture
def build(tmp_path, cards_cache):
    """Build the test content, with any settings changed, into tmp_path."""
    return lambda **override: _build(tmp_path, cards_cache, **override)


def _build(tmp_path: Path, cards_cache: Path, **override) -> Path:
    """Build the test content with this plugin into tmp_path/output."""
    return build_site(
        TEST_DATA / "content",
        tmp_path / "output",
        ["share_cards"],
        SHARE_CARDS_CACHE_PATH=str(cards_cache),
        SITENAME="Test site",
        **override,
    )


def include_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if INCLUDE in r.getMessage()]


def meta(page, key: str) -> list[str]:
    """The content of every <meta property|name=key> of a parsed page."""
    return [
        element.get("content")
        for element in page.iter("meta")
        if key in (element.get("property"), element.get("name"))
    ]


def test_default_theme_gets_cards_and_a_paste_ready_warning(build, caplog):
    with caplog.at_level(logging.WARNING):
        output = build()
    for card in ("hello-welcome-card.png", "pages/about-card.png", "card.png"):
        assert (output / card).read_bytes().startswith(PNG_SIGNATURE), card
    assert (output / "theme" / "share_cards" / "share.js").is_file()
    assert (output / "theme" / "share_cards" / "share_cards.css").is_file()
    # Pelican's default theme announces no card: one warning says what to add.
    (warning,) = include_warnings(caplog)
    assert '"share_cards/head.html"' in warning
    assert "base.html" in warning


def test_a_theme_that_includes_the_partials_shows_cards_and_links(build, caplog, parse):
    with caplog.at_level(logging.WARNING):
        output = build(THEME=str(TEST_DATA / "theme"))
    assert include_warnings(caplog) == []
    page = parse(output / "hello-welcome.html")
    assert meta(page, "og:type") == ["article"]
    assert meta(page, "og:title") == ["Hello & welcome"]
    assert meta(page, "og:description") == ["A first post, to share."]
    assert meta(page, "og:url") == ["/hello-welcome.html"]
    assert meta(page, "og:image") == ["/hello-welcome-card.png"]
    assert meta(page, "article:tag") == ["greetings"]
    assert meta(page, "twitter:site") == []
    # The links, the script that enhances them and their stylesheet.
    (section,) = page.findall(".//section[@class='share']")
    hrefs = [a.get("href") for a in section.findall(".//a[@class='share-link']")]
    assert hrefs[0] == (
        "https://x.com/intent/post?text=Hello%20%26%20welcome&url=%2Fhello-welcome.html"
    )
    (script,) = page.findall(".//script[@type='module']")
    assert script.get("src") == "/theme/share_cards/share.js"
    (stylesheet,) = page.findall(".//link[@rel='stylesheet']")
    assert stylesheet.get("href") == "/theme/share_cards/share_cards.css"
    for url in (script.get("src"), stylesheet.get("href")):
        assert (output / url.lstrip("/")).is_file()
    # A page has its card, and no share links (nor their script).
    about = parse(output / "pages" / "about.html")
    assert meta(about, "og:image") == ["/pages/about-card.png"]
    assert meta(about, "og:type") == ["website"]
    assert about.findall(".//script") == []
    # Every other page shows the site's card.
    assert meta(parse(output / "index.html"), "og:image") == ["/card.png"]


def test_the_stylesheet_can_be_left_to_the_theme(build, parse):
    # overrides/base.html includes the head with `share_cards_stylesheet = false`.
    output = build(
        THEME=str(TEST_DATA / "theme"),
        THEME_TEMPLATES_OVERRIDES=[str(TEST_DATA / "overrides")],
    )
    page = parse(output / "hello-welcome.html")
    assert page.findall(".//link[@rel='stylesheet']") == []
    assert page.findall(".//script[@type='module']")


@pytest.mark.parametrize(
    "case",
    [
        ("SHARE_CARDS_TWITTER_SITE", "not a handle", None),
        ("SHARE_CARDS_COLOURS", {"background": "not a colour"}, {}),
        ("SHARE_CARDS_COLOURS", {"avatar_hues": ["#000000"]}, {}),
        ("SHARE_CARDS_COLOURS", {"glitter": "#ffffff"}, {}),
        ("SHARE_CARDS_LOCALE", 42, None),
    ],
)
def test_a_bad_setting_is_warned_about_and_its_default_used(build, caplog, parse, case):
    name, value, default = case
    with caplog.at_level(logging.WARNING):
        output = build(THEME=str(TEST_DATA / "theme"), **{name: value})
    (warning,) = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert f"not {value!r}" in warning
    assert f"default {default!r}" in warning
    # The build went on, with the default.
    page = parse(output / "hello-welcome.html")
    assert meta(page, "twitter:site") == []
    assert meta(page, "og:locale") == ["en"]
    assert page.findall(".//link[@rel='stylesheet']")
    assert (output / "hello-welcome-card.png").read_bytes()[:8] == PNG_SIGNATURE
