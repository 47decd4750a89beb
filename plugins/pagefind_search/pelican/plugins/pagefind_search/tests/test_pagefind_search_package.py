"""The pagefind_search package on its own: a small site built with Pelican,
the plugin and nothing else, indexed by the real Pagefind."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

from lxml import html
from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
POSTS = {
    "alpha.md": "Title: Alpha post\nDate: 2026-01-01\n\nAbout the okapi.\n",
    "beta.md": "Title: Beta post\nDate: 2026-01-02\n\nAbout the quokka.\n",
    "gamma.md": "Title: Gamma draft\nDate: 2026-01-03\nStatus: draft\n\nSecret.\n",
}
INCLUDE_LINE = '{% include "pagefind_search/box.html" %}'
LOGGER = "pelican.plugins.pagefind_search"


def build(tmp_path: Path, caplog, **settings) -> Path:
    """Build three posts (one a draft) with only this plugin; return the output."""
    content = tmp_path / "content"
    content.mkdir()
    for name, text in POSTS.items():
        (content / name).write_text(text, encoding="utf-8")
    with caplog.at_level(logging.INFO):
        return build_site(
            content,
            tmp_path / "output",
            ["pagefind_search"],
            SITENAME="Example",
            **settings,
        )


def indexed(output: Path) -> dict[str, dict]:
    """What Pagefind indexed: each page's record, by URL."""
    records = {}
    for fragment in (output / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        records[record["url"]] = record
    return records


def test_default_theme_gets_a_working_search_page_and_an_index(tmp_path, caplog):
    output = build(tmp_path, caplog)  # THEME unset: Pelican's default theme

    # The plugin's own search page, added to DIRECT_TEMPLATES.
    page = html.parse(str(output / "search/index.html")).getroot()
    [root] = page.xpath("//*[@data-search]")
    assert root.get("data-search-bundle") == "/pagefind/"
    assert root.xpath(".//form[@action='/search/']//input[@name='q']")
    assert page.xpath("//script/@src") == ["/theme/pagefind_search/search.js"]
    assert page.xpath("//link[@rel='stylesheet']/@href")[-1] == (
        "/theme/pagefind_search/search.css"
    )
    for name in ("search.js", "search.css"):
        assert (output / "theme/pagefind_search" / name).is_file()

    # The published posts, each under its own title (the default theme's
    # first <h1> is the site's name: the plugin reads its #content).
    records = indexed(output)
    assert {url: r["meta"]["title"] for url, r in records.items()} == {
        "/alpha-post.html": "Alpha post",
        "/beta-post.html": "Beta post",
    }
    assert "okapi" in records["/alpha-post.html"]["content"]

    [warning] = warnings(caplog, LOGGER)
    assert INCLUDE_LINE in warning and "base.html" in warning


def test_a_theme_that_includes_the_box(tmp_path, caplog):
    output = build(tmp_path, caplog, THEME=str(TEST_DATA / "theme"))
    for name in ("index.html", "alpha-post.html", "search/index.html"):
        page = html.parse(str(output / name)).getroot()
        [form] = page.xpath("//header//form[@role='search']")
        assert form.get("action") == "/search/"
        [box] = form.xpath(".//input[@type='search'][@name='q']")
        assert box.get("aria-label") == "Search the site"
    assert warnings(caplog, LOGGER) == []
    assert set(indexed(output)) == {"/alpha-post.html", "/beta-post.html"}


def test_a_bad_setting_is_warned_about_and_its_default_used(tmp_path, caplog):
    output = build(
        tmp_path,
        caplog,
        THEME=str(TEST_DATA / "theme"),
        SEARCH_INDEX="yes",
        SEARCH_BUNDLE_DIR="../outside",
    )
    assert sorted(warnings(caplog, LOGGER)) == [
        (
            "pagefind_search: SEARCH_BUNDLE_DIR = '../outside' is not a folder "
            "inside the output; using the default 'pagefind'"
        ),
        (
            "pagefind_search: SEARCH_INDEX = 'yes' is not True or False; using the "
            "default True"
        ),
    ]
    assert (output / "pagefind" / "pagefind-entry.json").is_file()
    assert not (tmp_path / "outside").exists()
