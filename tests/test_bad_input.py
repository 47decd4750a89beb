"""Bad content gets a message naming the file, and the rest still builds."""

import logging
import shutil
from pathlib import Path

from tests.harness import ROOT, build_site


def _content_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of the real content/ plus the given extra posts."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for name, text in files.items():
        (content / "posts" / name).write_text(text, encoding="utf-8")
    return content


def test_malformed_date_and_missing_title_are_named_and_skipped(tmp_path, caplog):
    content = _content_with(
        tmp_path,
        {
            "bad-date.md": "Title: Bad date\nDate: the day after tomorrow\n\nBody.\n",
            "no-title.md": "Date: 2026-11-17\n\nA post without a title.\n",
        },
    )
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path / "output", content=content)

    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # The message says what is wrong and how to write it (metadata_check),
    # not only "Could not process posts/bad-date.md".
    date_problems = [m for m in problems if "bad-date.md" in m]
    assert any(
        "Date 'the day after tomorrow'" in m and "YYYY-MM-DD or YYYY-MM-DD HH:MM" in m
        for m in date_problems
    ), problems
    assert any("no-title.md" in message for message in problems), problems
    # The rest of the site is still there.
    assert site.exists("posts/networking-theory/")
    assert site.exists("archives/")
    assert not site.exists("posts/bad-date/")


def test_tags_and_categories_ending_in_digits_paginate_without_collision(tmp_path):
    """Pelican's default patterns write page 2 of `tag3` to `tag32.html`."""
    posts = {}
    for number in range(3):
        for tag in ("tag3", "tag32"):
            posts[f"{tag}-{number}.md"] = (
                f"Title: {tag} post {number}\nDate: 2026-01-0{number + 1}\n"
                f"Category: cat{tag[-1]}\nTags: {tag}\n\nBody.\n"
            )
    content = _content_with(tmp_path, posts)
    site = build_site(tmp_path / "output", content=content, DEFAULT_PAGINATION=2)
    for tag in ("tag3", "tag32"):
        assert site.exists(f"tag/{tag}/")
        assert site.exists(f"tag/{tag}/page/2/")
    older = site.page("tag/tag3/").xpath("//a[@rel='next']/@href")
    assert site.resolve(site.path("tag/tag3/"), older[0]) == site.path(
        "tag/tag3/page/2/"
    )
