"""The plugin's wiring: a site built with pelicanconf.py gets curly quotes in
bodies, headings and summaries; a MARKDOWN that still names smarty warns."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from pelican.plugins.typography import TypographyExtension
from pelican.plugins.typography.typography import add_extension

from tests.harness import build_site

POST = """Title: Quotes "and" dashes
Date: 2026-01-05 09:00
Summary: It's a "summary" -- with typography...

## Don't "panic"

It's only the '90s -- "rock 'n' roll"... `"code" stays`.
"""


def test_built_post_has_typography(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "quotes.md").write_text(POST, encoding="utf-8")
    site = build_site(tmp_path / "output", content=content)
    html = site.text("posts/quotes-and-dashes/")
    assert (
        "<p>It&rsquo;s only the &rsquo;90s &ndash; &ldquo;rock &lsquo;n&rsquo; "
        'roll&rdquo;&hellip; <code>"code" stays</code>.</p>'
    ) in html
    assert '<h2 id="dont-panic">Don&rsquo;t &ldquo;panic&rdquo;' in html
    # The summary is Markdown too (listings show it as text); the title is
    # plain text, as typed.
    assert "It’s a “summary” – with typography…" in site.text("")
    assert "<title>Quotes &#34;and&#34; dashes" in html


def test_extension_added_once_to_a_new_markdown_setting():
    markdown = {"extension_configs": {"markdown.extensions.toc": {}}}
    pelican = SimpleNamespace(settings={"MARKDOWN": markdown})
    add_extension(pelican)
    add_extension(pelican)
    extensions = pelican.settings["MARKDOWN"]["extensions"]
    assert [type(extension) for extension in extensions] == [TypographyExtension]
    assert "extensions" not in markdown  # the original setting is untouched


def test_smarty_in_markdown_setting_warns(caplog):
    markdown = {"extension_configs": {"markdown.extensions.smarty": {}}}
    pelican = SimpleNamespace(settings={"MARKDOWN": markdown})
    with caplog.at_level(
        logging.WARNING, logger="pelican.plugins.typography.typography"
    ):
        add_extension(pelican)
    assert "smarty" in caplog.text
    assert "MARKDOWN" in caplog.text
