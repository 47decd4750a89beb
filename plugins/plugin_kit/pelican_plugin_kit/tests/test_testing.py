"""The helpers of pelican_plugin_kit.testing: a real build, real log records."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest
from pelican import signals
from pelican_plugin_kit.testing import build_site, warnings

POST = "Title: A post\nDate: 2026-01-01\n\nBody.\n"


@pytest.fixture
def spy():
    """A plugin module that keeps the settings of the build it ran in."""
    plugin = ModuleType("spy_plugin")
    plugin.seen = {}

    def initialized(pelican):
        plugin.seen.update(pelican.settings)

    plugin.register = lambda: signals.initialized.connect(initialized)
    yield plugin
    signals.initialized.disconnect(initialized)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "post.md").write_text(POST, encoding="utf-8")
    return folder


def test_build_site_builds_with_the_plugins_and_no_feeds(tmp_path, content, spy):
    output = build_site(content, tmp_path / "output", [spy], SITENAME="Mine")
    assert output == tmp_path / "output"
    assert (output / "a-post.html").is_file()
    assert "<title>Mine</title>" in (output / "index.html").read_text()
    assert not (output / "feeds").exists()
    assert spy.seen["PLUGINS"] == ["spy_plugin"]  # it ran, and only it
    assert spy.seen["CACHE_PATH"] == str(tmp_path / "cache")
    assert spy.seen["CACHE_CONTENT"] is False
    assert spy.seen["LOAD_CONTENT_CACHE"] is False
    assert (spy.seen["SITEURL"], spy.seen["TIMEZONE"]) == ("", "UTC")
    assert spy.seen["FEED_ALL_ATOM"] is None
    assert spy.seen["TRANSLATION_FEED_ATOM"] is None


def test_build_site_keeps_pelicans_feeds_and_takes_any_setting(tmp_path, content):
    output = build_site(
        content,
        tmp_path / "output",
        [],
        feeds=True,
        FEED_ALL_ATOM="everything.xml",
        CACHE_PATH=str(tmp_path / "elsewhere"),
    )
    assert (output / "everything.xml").is_file()
    assert (output / "feeds" / "misc.atom.xml").is_file()


def test_warnings_are_warning_or_above_from_the_logger_and_below(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("pelican.plugins.demo").warning("one %s", "warning")
        logging.getLogger("pelican.plugins.demo.module").error("an error")
        logging.getLogger("pelican.plugins.demo").info("information")
        logging.getLogger("pelican.plugins.demography").warning("another plugin")
        logging.getLogger("pelican").warning("Pelican's")
    assert warnings(caplog, "pelican.plugins.demo") == ["one warning", "an error"]
    assert warnings(caplog) == [
        "one warning",
        "an error",
        "another plugin",
        "Pelican's",
    ]
