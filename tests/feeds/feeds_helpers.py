"""Helpers for the feeds tests: build a content tree, parse every feed."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
from lxml import etree

from tests.harness import build_site

TEST_DATA = Path(__file__).parent / "test_data"
BLOG = TEST_DATA / "blog"
SITEURL = "https://blog.example"
ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def copy_blog(tmp_path: Path, extra_posts: dict[str, str] | None = None) -> Path:
    """A copy of the test blog, plus extra posts, to change in one test."""
    content = tmp_path / "content"
    shutil.copytree(BLOG, content)
    for name, text in (extra_posts or {}).items():
        (content / "posts" / name).write_text(text, encoding="utf-8")
    return content


def build_blog(output: Path, content: Path = BLOG, **settings):
    """Build a content tree for production (absolute URLs) with the real plugins."""
    settings.setdefault("SITEURL", SITEURL)
    settings.setdefault("RELATIVE_URLS", False)
    return build_site(output, content=content, **settings)


def feed_files(root: Path) -> dict[str, Path]:
    """Every feed under feeds/, by its path relative to the site root (not
    the .gz and .br copies a production build writes beside them)."""
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted((root / "feeds").rglob("*.xml"))
        if path.is_file()
    }


def parse_feed(path: Path):
    """Parse a feed with lxml and feedparser; fail on any error or bozo."""
    tree = etree.parse(str(path))
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return tree.getroot(), parsed


def atom_entries(root) -> list:
    return root.findall(f"{ATOM}entry")


def atom_titles(root) -> list[str]:
    """The entry titles of a parsed Atom feed, in feed order."""
    return [entry.findtext(f"{ATOM}title") for entry in atom_entries(root)]


def atom_entry(root, title: str):
    """The entry of a parsed Atom feed with this title."""
    return next(e for e in atom_entries(root) if e.findtext(f"{ATOM}title") == title)


def atom_ids(path: Path) -> dict[str, str]:
    """Entry id by entry title in an Atom feed."""
    root, _ = parse_feed(path)
    return {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}id")
        for entry in atom_entries(root)
    }
