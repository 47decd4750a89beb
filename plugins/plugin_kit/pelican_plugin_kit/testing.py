"""Fixtures and helpers for a plugin package's own tests, which need nothing
but Pelican and pytest. Import the fixtures into the package's conftest.py:

    from pelican_plugin_kit.testing import parse, warn_afresh  # noqa: F401

and the helpers into a test module:

    from pelican_plugin_kit.testing import build_site, warnings
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.log import LimitFilter
from pelican.settings import read_settings

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr"}
# Pelican's feeds that are on by default.
FEEDS = ("FEED_ALL_ATOM", "CATEGORY_FEED_ATOM", "AUTHOR_FEED_ATOM")
FEEDS += ("AUTHOR_FEED_RSS", "TRANSLATION_FEED_ATOM")


class TreeParser(HTMLParser):
    """HTML into an ElementTree (Pelican's themes write well-nested HTML)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.builder = ET.TreeBuilder()
        self.builder.start("document", {})

    def handle_starttag(self, tag, attrs):
        self.builder.start(tag, {name: value or "" for name, value in attrs})
        if tag in VOID:
            self.builder.end(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.builder.end(tag)

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.builder.end(tag)

    def handle_data(self, data):
        self.builder.data(data)

    def close(self):
        super().close()
        self.builder.end("document")
        return self.builder.close()


def parse_page(path: Path) -> ET.Element:
    """A written page as an ElementTree element (ElementPath, not XPath)."""
    parser = TreeParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser.close()


def build_site(
    content: Path, output: Path, plugins: list, *, feeds: bool = False, **override
) -> Path:
    """Build the site in `content` into `output` with `plugins` (names or
    modules) and nothing else from a settings file; return `output`.

    The settings: no content cache (CACHE_PATH is a `cache` folder next to
    `output`), SITEURL "", TIMEZONE "UTC", Pelican's default theme and none
    of Pelican's feeds (`feeds=True` keeps its default ones); `override`
    adds or replaces any setting (THEME, MARKDOWN, CACHE_PATH...).
    """
    settings = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(Path(output).parent / "cache"),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "PLUGINS": plugins,
        "SITEURL": "",
        "TIMEZONE": "UTC",
    }
    if not feeds:
        settings.update(dict.fromkeys(FEEDS))
    Pelican(read_settings(override={**settings, **override})).run()
    return Path(output)


def warnings(caplog, logger: str = "") -> list[str]:
    """The messages caplog holds at WARNING or above, from `logger` and the
    loggers under it when given (e.g. "pelican.plugins.series_nav")."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and (
            not logger or record.name == logger or record.name.startswith(logger + ".")
        )
    ]


@pytest.fixture(autouse=True)
def warn_afresh():
    """Pelican logs a message once per process: each build warns again."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


@pytest.fixture
def parse():
    """`parse_page`, as a fixture."""
    return parse_page
