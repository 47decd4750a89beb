"""The package on its own: small sites built with Pelican and only this plugin."""

from __future__ import annotations

import logging
import math
from pathlib import Path

from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
INCLUDE = '{% include "reading/time.html" %}'
# long.md: four sections of a two-word heading and 115 words.
LONG_POST_WORDS = 4 * (2 + 115)
# Pelican's Markdown settings with the `toc` extension, which gives each
# heading the id a contents list links to.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}


def build(tmp_path: Path, **override) -> Path:
    """Build the test content with this plugin into tmp_path/output."""
    return build_site(
        TEST_DATA / "content",
        tmp_path / "output",
        ["reading"],
        MARKDOWN=MARKDOWN,
        **override,
    )


def include_warnings(caplog) -> list[str]:
    return [message for message in warnings(caplog) if INCLUDE in message]


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_default_theme_gets_a_paste_ready_warning_and_the_stylesheet(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path)
    # Pelican's default theme shows no reading time: one warning says what
    # to paste.
    (warning,) = include_warnings(caplog)
    assert "article.html" in warning
    assert (output / "theme" / "reading" / "reading.css").is_file()


def test_no_warning_for_a_site_without_posts(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        build(tmp_path, IGNORE_FILES=["*.md"])
    assert include_warnings(caplog) == []


def test_a_theme_that_includes_the_partials_shows_them(tmp_path, caplog, parse):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path, THEME_TEMPLATES_OVERRIDES=[str(TEST_DATA / "templates")]
        )
    assert include_warnings(caplog) == []
    page = parse(output / "a-long-post.html")
    minutes = math.ceil(LONG_POST_WORDS / 230)  # the default speed, rounded up
    assert text(page.find(".//p[@class='reading-time']")) == f"{minutes} min read"
    (contents,) = page.findall(".//nav[@class='post-contents']")
    open_list = contents.find("div[@class='post-contents-open']/ol")
    assert [a.get("href") for a in open_list.findall("li/a")] == [
        "#section-1",
        "#section-2",
        "#section-3",
        "#section-4",
    ]
    # The folded copy is for phones; without a stylesheet it stays hidden.
    assert contents.find("details").get("hidden") is not None
    (read_next,) = page.findall(".//section[@class='read-next']")
    assert [text(a) for a in read_next.findall(".//a[@class='read-next-title']")] == [
        "Shares <i>both</i> tags",  # markup in a title stays text
        "Shares one tag",
        "The latest post",
    ]
    stylesheets = [link.get("href") for link in page.findall(".//head/link")]
    assert "/theme/reading/reading.css" in stylesheets


def test_an_unusable_setting_is_warned_about_and_its_default_used(
    tmp_path, caplog, parse
):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path,
            READING_WORDS_PER_MINUTE=0,
            THEME_TEMPLATES_OVERRIDES=[str(TEST_DATA / "templates")],
        )
    (warning,) = [m for m in warnings(caplog) if "READING_WORDS_PER_MINUTE" in m]
    assert "0 is not a whole number" in warning
    assert "using the default 230" in warning
    page = parse(output / "a-long-post.html")
    minutes = math.ceil(LONG_POST_WORDS / 230)
    assert text(page.find(".//p[@class='reading-time']")) == f"{minutes} min read"
