"""The package on its own: small sites built with Pelican and only this plugin."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pelican_plugin_kit.testing import build_site

TEST_DATA = Path(__file__).parent / "test_data"
INCLUDE = '{% include "author_bios/box.html" %}'


def build(tmp_path: Path, **override) -> Path:
    """Build the test content with this plugin into tmp_path/output."""
    return build_site(
        TEST_DATA / "content", tmp_path / "output", ["author_bios"], **override
    )


def include_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if INCLUDE in r.getMessage()]


def text(element) -> str:
    return "".join(element.itertext()).strip()


def test_default_theme_gets_author_pages_and_a_paste_ready_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path)
    # A profiled guest with no published post still gets an author page.
    assert (output / "author" / "guest-only.html").is_file()
    assert (output / "authors" / "avatars" / "ada-example.png").is_file()
    assert (output / "theme" / "author_bios" / "author_bios.css").is_file()
    # Pelican's default theme shows no author box: one warning says what to add.
    (warning,) = include_warnings(caplog)
    assert '"author_bios/box.html"' in warning
    assert "article.html" in warning


def test_no_warning_without_a_post_that_has_a_profiled_author(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        build(tmp_path, IGNORE_FILES=["hello.md"])
    assert include_warnings(caplog) == []


def test_a_theme_that_includes_the_box_shows_it(tmp_path, caplog, parse):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, THEME=str(TEST_DATA / "theme"))
    assert include_warnings(caplog) == []
    page = parse(output / "hello.html")
    (box,) = page.findall(".//section[@class='author-boxes']")
    assert [text(a) for a in box.findall(".//h3/a")] == ["Ada Example"]
    assert text(box.find(".//p[@class='author-role p-job-title']")) == "Test author"
    (avatar,) = box.findall(".//img[@class='author-avatar']")
    assert avatar.get("src") == "/authors/avatars/ada-example.png"
    links = box.findall(".//ul[@class='author-links']/li/a")
    assert [a.get("href") for a in links] == [
        "https://mastodon.example/@ada",
        "https://github.com/ada-example",
    ]
    assert all(a.find("svg").get("class").startswith("icon ") for a in links)
    # The plugin's stylesheet, linked where the boxes are, is in the output.
    (stylesheet,) = page.findall(".//link[@rel='stylesheet']")
    assert stylesheet.get("href") == "/theme/author_bios/author_bios.css"
    assert (output / "theme" / "author_bios" / "author_bios.css").is_file()
    # A post whose author has no profile gets no (empty) box.
    other = parse(output / "unprofiled.html")
    assert other.findall(".//section[@class='author-boxes']") == []


def test_a_theme_may_override_a_partial_and_leave_out_the_stylesheet(tmp_path, parse):
    # overrides/: an avatar partial of the theme's own, and an article.html
    # that includes the box with `author_bios_stylesheet = false`.
    output = build(
        tmp_path,
        THEME=str(TEST_DATA / "theme"),
        THEME_TEMPLATES_OVERRIDES=[str(TEST_DATA / "overrides")],
    )
    page = parse(output / "hello.html")
    box = page.find(".//section[@class='author-boxes']")
    assert text(box.find(".//span[@class='theme-own-avatar']")) == "AE"
    assert box.findall(".//img") == []
    assert page.findall(".//link[@rel='stylesheet']") == []


@pytest.mark.parametrize(
    "case",
    [
        ("AUTHORS_AVATAR_SAVE_AS", "avatars/all.png", "authors/avatars/{slug}{ext}"),
        ("AUTHORS_AVATAR_SAVE_AS", "a/{slug}{size}", "authors/avatars/{slug}{ext}"),
        ("AUTHORS_PROFILE_PATH", 3, "authors"),
    ],
)
def test_a_bad_setting_is_warned_about_and_its_default_used(
    tmp_path, caplog, parse, case
):
    name, value, default = case
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, THEME=str(TEST_DATA / "theme"), **{name: value})
    (warning,) = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert f"not {value!r}" in warning
    assert f"default {default!r}" in warning
    # The build went on, with the default.
    assert (output / "authors" / "avatars" / "ada-example.png").is_file()
    assert (output / "author" / "guest-only.html").is_file()
    page = parse(output / "hello.html")
    assert page.findall(".//link[@rel='stylesheet']")
