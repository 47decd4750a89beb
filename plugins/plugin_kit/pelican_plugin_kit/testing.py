"""Fixtures for a plugin package's own tests, which need nothing but Pelican
and pytest. Import them into the package's conftest.py:

    from pelican_plugin_kit.testing import parse, warn_afresh  # noqa: F401
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pelican.log import LimitFilter

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr"}


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


@pytest.fixture(autouse=True)
def warn_afresh():
    """Pelican logs a message once per process: each build warns again."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


@pytest.fixture
def parse():
    """`parse_page`, as a fixture."""
    return parse_page
