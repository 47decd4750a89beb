"""Markdown with the site's real extension stack, educated by smarty or ours.

`site_markdown(typography)` builds a `Markdown` from pelicanconf.py's MARKDOWN
setting plus the checklist extension (what `ChecklistMarkdownReader` adds),
with `typography` last: "smarty", "ours" or None.
"""

from __future__ import annotations

import pytest
from markdown import Markdown
from pelican.plugins.network_checklist.extension import ChecklistExtension
from pelican.plugins.typography import TypographyExtension
from pelican.settings import read_settings

from tests.harness import ROOT


def site_settings(typography: str | None) -> dict:
    """pelicanconf.py's settings, with MARKDOWN educated by `typography`."""
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    markdown = settings["MARKDOWN"]
    assert "markdown.extensions.smarty" not in markdown["extension_configs"]
    extensions = list(markdown.get("extensions", []))
    if typography == "smarty":
        extensions.append("markdown.extensions.smarty")
    elif typography == "ours":
        extensions.append(TypographyExtension())
    settings["MARKDOWN"] = {**markdown, "extensions": extensions}
    return settings


def site_markdown(typography: str | None) -> Markdown:
    """A Markdown instance with the site's extensions, as its reader has them."""
    markdown = site_settings(typography)["MARKDOWN"]
    extensions = [
        *markdown["extensions"],
        *markdown["extension_configs"],
        ChecklistExtension(),
    ]
    return Markdown(**{**markdown, "extensions": extensions})


@pytest.fixture(scope="module")
def render():
    """render(source, typography) -> HTML, with one Markdown per typography."""
    instances = {}

    def convert(source: str, typography: str | None) -> str:
        if typography not in instances:
            instances[typography] = site_markdown(typography)
        md = instances[typography]
        md.reset()
        return md.convert(source)

    return convert
