"""The package on its own: small sites built with Pelican and only this plugin."""

from __future__ import annotations

import logging
from pathlib import Path

from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
INCLUDE = '{% include "series_nav/box.html" %}'


def build(tmp_path: Path, **override) -> Path:
    """Build the test content with this plugin into tmp_path/output."""
    return build_site(
        TEST_DATA / "content",
        tmp_path / "output",
        ["series_nav"],
        ARTICLE_PATHS=["posts"],
        **override,
    )


def include_warnings(caplog) -> list[str]:
    return [message for message in warnings(caplog) if INCLUDE in message]


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_default_theme_gets_series_pages_and_a_paste_ready_warning(
    tmp_path, caplog, parse
):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path)
    # Pelican's default theme has no box: one warning says what to paste.
    (warning,) = include_warnings(caplog)
    assert "article.html" in warning
    # The series pages come from the plugin's own series.html and
    # series_list.html, which extend the theme's base.html.
    page = parse(output / "series" / "demo-series" / "index.html")
    assert text(page.find(".//article[@class='series-page']/header/h1")) == (
        "Demo series"
    )
    assert "The intro of the demo series." in text(
        page.find(".//*[@class='series-intro']")
    )
    status = page.find(".//p[@class='series-status']")
    assert text(status) == "Ongoing · 3 parts: 2 published, 1 coming soon"
    parts = page.findall(".//ol[@class='series-parts series-parts-full']/li")
    assert [text(part.find("h3")) for part in parts] == [
        "Part one",
        "Part two <b>bold</b>",  # markup in a title stays text, autoescape or not
        "Part three",
    ]
    assert [a.get("href") for a in page.findall(".//ol//h3/a")] == [
        "/part-one.html",
        "/part-two.html",
    ]
    assert "coming soon, by Guest Writer" in text(parts[2])
    # The head partial: the stylesheet and the "already read" script.
    assert [link.get("href") for link in page.findall(".//link[@rel='stylesheet']")][
        -1
    ] == "/theme/series_nav/series.css"
    (script,) = page.findall(".//script[@type='module']")
    assert script.get("src") == "/theme/series_nav/series-progress.js"
    for name in ("series.css", "series-progress.js"):
        assert (output / "theme" / "series_nav" / name).is_file()
    listing = parse(output / "series" / "index.html")
    assert [text(a) for a in listing.findall(".//article/h2/a")] == ["Demo series"]


def test_no_warning_for_a_site_without_parts(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        build(tmp_path, IGNORE_FILES=["part-*.md"])
    assert include_warnings(caplog) == []


def test_a_theme_that_includes_the_box_shows_it(tmp_path, caplog, parse):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path, THEME_TEMPLATES_OVERRIDES=[str(TEST_DATA / "templates")]
        )
    assert include_warnings(caplog) == []
    page = parse(output / "part-two.html")
    (box,) = page.findall(".//div[@class='series-footer']")
    previous = box.find(".//li[@class='series-previous']/a")
    assert (previous.get("href"), previous.get("rel")) == ("/part-one.html", "prev")
    following = box.find(".//li[@class='series-next']")
    assert following.find("a") is None  # an announced part is never linked
    assert text(following) == "Next part Part three: coming soon, by Guest Writer"
    (contents,) = box.findall(".//nav[@class='series-contents']")
    assert contents.get("data-series-slug") == "demo-series"
    assert contents.get("data-series-record") == "part-two.html"
    items = contents.findall("ol/li")
    assert [text(item) for item in items] == [
        "Part one",
        "Part two <b>bold</b>",
        "Part three: coming soon, by Guest Writer",
    ]
    assert items[1].find("a").get("aria-current") == "page"
    # A post in no series gets no box.
    assert (
        parse(output / "a-post-in-no-series.html").find(
            ".//div[@class='series-footer']"
        )
        is None
    )


def test_an_unusable_setting_is_warned_about_and_its_default_used(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, SERIES_SAVE_AS="all-series.html")
    (warning,) = [m for m in warnings(caplog) if "SERIES_SAVE_AS" in m]
    assert "'all-series.html'" in warning
    assert "using the default 'series/{slug}/index.html'" in warning
    assert (output / "series" / "demo-series" / "index.html").is_file()
    assert not (output / "all-series.html").exists()
