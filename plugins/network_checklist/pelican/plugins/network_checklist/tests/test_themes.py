"""The checklist in any theme: small sites built with Pelican.

With Pelican's default theme (which knows nothing of the plugin) the pages
with a checklist load its stylesheet and script from their body, and the
build says once how to load them from the <head>; with a theme that includes
`network_checklist/head.html`, a post's page loads them from the <head> and
nothing is said.
"""

import logging
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pelican.plugins import network_checklist
from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
STYLESHEET = "theme/checklist/checklist.css"
SCRIPT = "theme/checklist/checklist.js"
LOGGER = "pelican.plugins.network_checklist"


class ChecklistFiles(HTMLParser):
    """The checklist's stylesheet links and module scripts in a page, each
    with where it is: "head", "form" (a checklist form) or "body"."""

    def __init__(self):
        super().__init__()
        self.place = "head"
        self.in_form = False
        self.files: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.place = "body"
        if tag == "form" and attributes.get("class") == "checklist":
            self.in_form = True
        url = None
        if tag == "link" and attributes.get("rel") == "stylesheet":
            url = attributes.get("href")
        elif tag == "script" and attributes.get("type") == "module":
            url = attributes.get("src")
        if url and "/checklist/" in url:
            self.files.append((url, "form" if self.in_form else self.place))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def checklist_files(output: Path, page: str) -> list[tuple[str, str]]:
    """The checklist files `page` (a path in `output`) loads, and where."""
    parser = ChecklistFiles()
    parser.feed((output / page).read_text(encoding="utf-8"))
    return parser.files


def build(tmp_path, posts=("plan.md", "audit.md", "plain.md"), **settings):
    """Build the test posts named in `posts` into tmp_path/output.

    The content is copied: Pelican logs a message once per process, and
    this build's paths make its warnings new.
    """
    content = tmp_path / "content"
    content.mkdir()
    for post in posts:
        shutil.copy(TEST_DATA / "content" / "posts" / post, content / post)
    override = {
        "ARTICLE_URL": "posts/{slug}/",
        "ARTICLE_SAVE_AS": "posts/{slug}/index.html",
        "RELATIVE_URLS": True,
        **settings,
    }
    # The plugin itself, not its name: only it runs, whatever else is
    # installed, and the templates' `plugin_enabled` test says no, as it
    # does when PLUGINS is unset (Pelican finding the plugin itself).
    return build_site(
        content, tmp_path / "output", [network_checklist], feeds=True, **override
    )


def test_default_theme_loads_the_files_from_the_page_body(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path)
    plan = (output / "posts/a-plan/index.html").read_text(encoding="utf-8")
    assert '<form class="checklist" data-checklist="plan"' in plan
    assert 'name="sam-count"' in plan
    for page in ("posts/a-plan/index.html", "posts/an-audit/index.html"):
        files = checklist_files(output, page)
        # In the checklist form, relative to the page (RELATIVE_URLS).
        assert files == [
            ("../../" + STYLESHEET, "form"),
            ("../../" + SCRIPT, "form"),
        ], page
        for url, _place in files:
            target = urljoin(f"http://site.test/{page}", url)
            assert (output / urlsplit(target).path.lstrip("/")).is_file(), url
    # Pelican's default theme shows the latest post whole on the home page:
    # there the URLs are relative to the home page.
    assert checklist_files(output, "index.html") == [
        ("./" + STYLESHEET, "form"),
        ("./" + SCRIPT, "form"),
    ]
    assert checklist_files(output, "posts/plain/index.html") == []
    # One warning for the build, however many pages: it says the widget
    # works and gives the line to paste.
    [warning] = warnings(caplog, LOGGER)
    assert "still works" in warning
    assert 'add {% include "network_checklist/head.html" %} to the theme' in warning


def test_default_theme_with_an_absolute_siteurl(tmp_path):
    output = build(tmp_path, RELATIVE_URLS=False, SITEURL="https://example.org/blog")
    assert checklist_files(output, "posts/a-plan/index.html") == [
        ("https://example.org/blog/" + STYLESHEET, "form"),
        ("https://example.org/blog/" + SCRIPT, "form"),
    ]


def test_no_checklist_no_files_and_no_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, posts=("plain.md",))
    assert checklist_files(output, "posts/plain/index.html") == []
    assert checklist_files(output, "index.html") == []
    assert warnings(caplog, LOGGER) == []


def test_theme_with_the_head_partial_loads_the_files_in_the_head(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, THEME=str(TEST_DATA / "theme_with_head"))
    assert checklist_files(output, "posts/a-plan/index.html") == [
        ("../../" + STYLESHEET, "head"),
        ("../../" + SCRIPT, "head"),
    ]
    assert checklist_files(output, "posts/plain/index.html") == []
    # This theme's home page shows each post whole: the head partial is for
    # a post's own page, so the files load from the first form there.
    assert checklist_files(output, "index.html") == [
        ("./" + STYLESHEET, "form"),
        ("./" + SCRIPT, "form"),
    ]
    # So do the simple theme's category pages, which extend it: relative to
    # each page.
    assert checklist_files(output, "category/misc.html") == [
        ("../" + STYLESHEET, "form"),
        ("../" + SCRIPT, "form"),
    ]
    assert (output / SCRIPT).is_file()
    assert (output / STYLESHEET).is_file()
    assert warnings(caplog, LOGGER) == []
