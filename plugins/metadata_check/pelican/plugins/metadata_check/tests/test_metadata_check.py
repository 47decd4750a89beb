"""metadata_check on its own: a small site built with Pelican's default theme
into tmp_path, with dates Pelican cannot read.

Run from the package folder: `cd plugins/metadata_check && pytest`.
"""

from __future__ import annotations

import logging

import pytest
from pelican_plugin_kit.testing import build_site, warnings

EXPECTED_FORM = "YYYY-MM-DD or YYYY-MM-DD HH:MM"
POSTS = {
    "good.md": "Title: Good\nDate: 2026-03-01 09:00\n",
    "impossible-date.md": "Title: Impossible date\nDate: 2026-13-45\n",
    "word-date.md": "Title: Word date\nDate: yesterday\n",
    "bad-modified.md": "Title: Bad modified\nDate: 2026-03-02\nModified: after lunch\n",
    "bad-draft-date.md": "Title: Bad draft date\nDate: soon\nStatus: draft\n",
}


@pytest.fixture
def build(tmp_path, caplog):
    """The posts above built with the plugin: (output folder, the plugin's
    warnings, content folder)."""
    content = tmp_path / "content"
    content.mkdir()
    for name, metadata in POSTS.items():
        (content / name).write_text(f"{metadata}\nBody.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        output = build_site(
            content, tmp_path / "output", ["metadata_check"], feeds=True
        )
    return output, warnings(caplog, "pelican.plugins.metadata_check"), content


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("impossible-date.md", "Date", "2026-13-45"),
        ("word-date.md", "Date", "yesterday"),
        ("bad-modified.md", "Modified", "after lunch"),
        ("bad-draft-date.md", "Date", "soon"),
    ],
)
def test_a_bad_date_is_named_with_file_field_value_and_form(build, name, field, value):
    _output, warnings, content = build
    (warning,) = [message for message in warnings if str(content / name) in message]
    assert f"{field} {value!r} is not a date" in warning
    assert EXPECTED_FORM in warning


def test_only_bad_dates_are_reported(build):
    _output, warnings, _content = build
    assert len(warnings) == 4
    assert not [message for message in warnings if "good.md" in message]


def test_the_rest_builds(build):
    output, _warnings, _content = build
    assert (output / "good.html").is_file()
    # A post needs its date: skipped, by Pelican's own rule.
    assert not (output / "impossible-date.html").exists()
    assert not (output / "word-date.html").exists()
    # Without its Modified, the post is built; a draft is built undated.
    page = (output / "bad-modified.html").read_text(encoding="utf-8")
    assert '<abbr class="published" title="2026-03-02T00:00:00+00:00">' in page
    assert 'class="modified"' not in page
    assert (output / "drafts" / "bad-draft-date.html").is_file()
