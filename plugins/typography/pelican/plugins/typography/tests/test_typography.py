"""typography on its own: a small site built with Pelican's default theme
into tmp_path, and the extension alone.

Run from the package folder: `cd plugins/typography && pytest`.
"""

from __future__ import annotations

import logging

from markdown import Markdown
from pelican.settings import DEFAULT_CONFIG
from pelican_plugin_kit.testing import build_site, warnings

POST = """Title: Quotes
Date: 2026-01-10
Summary: "Summaries" too...

"Don't panic," she said -- twice... The '90s --- `"code"` stays.
"""
# The default theme's index shows the newest post whole and the others'
# summaries.
NEWER = "Title: Newer\nDate: 2026-01-11\n\nNewer.\n"


def build(tmp_path, **settings):
    """The posts above, built with the plugin: the first one's page, and the
    output folder."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "quotes.md").write_text(POST, encoding="utf-8")
    (content / "newer.md").write_text(NEWER, encoding="utf-8")
    output = build_site(
        content, tmp_path / "output", ["typography"], feeds=True, **settings
    )
    return (output / "quotes.html").read_text(encoding="utf-8"), output


def test_the_default_theme_gets_curly_quotes_dashes_and_ellipses(tmp_path):
    page, output = build(tmp_path)
    assert (
        "<p>&ldquo;Don&rsquo;t panic,&rdquo; she said &ndash; twice&hellip; "
        'The &rsquo;90s &mdash; <code>"code"</code> stays.</p>'
    ) in page
    # Summaries are converted by the same Markdown settings.
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "&ldquo;Summaries&rdquo; too&hellip;" in index


def test_smarty_in_markdown_is_named_and_the_build_goes_on(tmp_path, caplog):
    markdown = {
        **DEFAULT_CONFIG["MARKDOWN"],
        "extensions": ["markdown.extensions.smarty"],
    }
    with caplog.at_level(logging.WARNING):
        page, _output = build(tmp_path, MARKDOWN=markdown)
    (warning,) = warnings(caplog, "pelican.plugins.typography")
    assert "MARKDOWN also enables smarty" in warning
    assert "&ldquo;Don&rsquo;t panic,&rdquo;" in page


def test_the_extension_works_alone_by_its_dotted_name():
    markdown = Markdown(extensions=["pelican.plugins.typography"])
    assert markdown.convert('"It\'s" -- here...') == (
        "<p>&ldquo;It&rsquo;s&rdquo; &ndash; here&hellip;</p>"
    )
