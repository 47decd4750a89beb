"""metadata_check: a Date or Modified Pelican cannot read is named and explained."""

import logging

import pytest

from tests.harness import build_site

EXPECTED = "YYYY-MM-DD or YYYY-MM-DD HH:MM"
POSTS = {
    "good.md": "Title: Good\nDate: 2026-03-01 09:00\n",
    "impossible-date.md": "Title: Impossible date\nDate: 2026-13-45\n",
    "word-date.md": "Title: Word date\nDate: yesterday\n",
    "bad-modified.md": (
        "Title: Bad modified\nDate: 2026-03-02\nModified: after lunch\n"
    ),
    "bad-draft-date.md": "Title: Bad draft date\nDate: soon\nStatus: draft\n",
}


@pytest.fixture
def build(tmp_path, caplog):
    """The posts above built with the project's settings; (site, warnings)."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for name, text in POSTS.items():
        (posts / name).write_text(f"{text}\nBody.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path / "output", content=tmp_path / "content")
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return site, messages, posts


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("impossible-date.md", "Date", "2026-13-45"),
        ("word-date.md", "Date", "yesterday"),
        ("bad-modified.md", "Modified", "after lunch"),
        ("bad-draft-date.md", "Date", "soon"),
    ],
)
def test_message_names_file_field_value_and_expected_form(build, name, field, value):
    _site, messages, posts = build
    named = [m for m in messages if str(posts / name) in m]
    assert any(
        f"{field}: {value!r}" in m or f"{field} {value!r}" in m for m in named
    ), messages
    assert any(EXPECTED in m for m in named), messages


def test_a_post_with_a_bad_date_is_skipped_and_the_rest_builds(build):
    site, _messages, _posts = build
    assert site.exists("posts/good/")
    assert not site.exists("posts/impossible-date/")
    assert not site.exists("posts/word-date/")


def test_a_bad_modified_is_left_out_and_the_post_builds(build):
    site, _messages, _posts = build
    byline = site.page("posts/bad-modified/").xpath("//p[@class='byline']")[0]
    assert "Updated" not in byline.text_content()
    assert byline.xpath(".//time/@datetime") == ["2026-03-02T00:00:00+00:00"]


def test_a_draft_with_a_bad_date_is_previewed_undated(build):
    site, _messages, _posts = build
    assert site.exists("drafts/bad-draft-date/")
