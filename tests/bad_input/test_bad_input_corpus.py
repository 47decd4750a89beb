"""A site built from the real content plus a corpus of broken and hostile files.

See tests/bad_input/README.md for what the corpus holds and why.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import html as lxml_html

from tests.harness import PUBLISHED_SITEURL, ROOT, build_site, recorded_warnings

CORPUS = Path(__file__).parent / "corpus"

# Broken files: each must be named in a warning or error, with why it is broken.
BROKEN = {
    "posts/bad-date.md": "a date nobody can read",
    "posts/bad-modified.md": "a Modified date nobody can read (the post builds)",
    "posts/no-title.md": "no title",
    "posts/empty.md": "an empty file",
    "posts/not-utf8.md": "Latin-1 bytes, not UTF-8",
    "posts/series-index-word.md": "Series_index `two`",
    "posts/series-index-negative.md": "Series_index `-1`",
    "posts/series-index-duplicate.md": "a second part 1",
    "posts/series-name-variant.md": "the series name in other case and spacing",
    "posts/unknown-author.md": "an author with no profile",
    "posts/author-without-letters.md": "authors `<b></b>` and `!!!`: empty slugs",
    "posts/hostile-checklist.md": "markup in items, a duplicate id, a javascript: link",
    "posts/checklist-unclosed.md": "a checklist block never closed",
    "posts/checklist-unknown-option.md": "an unknown option, no items",
    "posts/control-characters.md": "characters that XML forbids",
    "authors/hostile-handles.md": "handles with schemes, spaces and markup",
    "authors/name-without-letters.md": "`Name: ***`, an empty slug",
    "series/untitled-intro.md": "a series intro without a title",
    "series/unknown-status.md": "an unknown status, a series with no parts",
}
HUGE_POST = "posts/one-megabyte.md"
# Written by the test, not kept in the corpus: ruff (`make lint`) reads
# every .md file in the repository and stops at one that is not UTF-8.
NOT_UTF8_POST = "posts/not-utf8.md"
NOT_UTF8_BYTES = (
    b"Title: Caf\xe9 networking in Latin-1\nDate: 2026-10-12 09:00\n\n"
    b"Na\xefve bytes that are not UTF-8.\n"
)
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
FORBIDDEN_ELEMENTS = ("iframe", "object", "embed", "base", "frame", "frameset")


def _huge_post() -> str:
    """A valid post of about 1 MB (generated: too big to keep in git)."""
    paragraph = (
        "Networking is an exchange between people and organisations, and its "
        "purpose is a productive relationship, not a pile of contacts. " * 4
    )
    body = "\n\n".join(f"## Section {n}\n\n{paragraph}" for n in range(1, 2300))
    return f"Title: A very long post\nDate: 2026-10-14 09:00\nTags: long\n\n{body}\n"


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    """The production build of content/ plus the corpus, and its log records."""
    tmp_path = tmp_path_factory.mktemp("bad_input")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(CORPUS, content, dirs_exist_ok=True)
    (content / HUGE_POST).write_text(_huge_post(), encoding="utf-8")
    assert (content / HUGE_POST).stat().st_size >= 1_000_000
    (content / NOT_UTF8_POST).write_bytes(NOT_UTF8_BYTES)

    with recorded_warnings() as warnings:
        site = build_site(
            tmp_path / "output",
            content=content,
            settings_file="publishconf.py",
            SITEURL=PUBLISHED_SITEURL,
        )
    return site, warnings


@pytest.fixture(scope="module")
def theme_scripts(tmp_path_factory) -> set[str]:
    """Paths of the `src` scripts the real site's pages load: the theme's own."""
    site = build_site(
        tmp_path_factory.mktemp("real"),
        settings_file="publishconf.py",
        SITEURL=PUBLISHED_SITEURL,
    )
    return {
        _site_path(src)
        for html_file in site.html_files()
        for src in lxml_html.parse(str(html_file)).xpath("//script/@src")
    }


def _site_path(url: str) -> str:
    return urlsplit(url).path


def test_build_completes_and_keeps_the_real_site(corpus_build):
    site, _messages = corpus_build
    for page in ("", "posts/networking-theory/", "archives/", "network-audit/"):
        assert site.exists(page), page
    assert site.exists("posts/a-very-long-post/"), "the 1 MB post was not built"
    assert site.exists("tag/networking2026/") and site.exists("tag/tag3/")


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_named_in_a_warning(corpus_build, name):
    _site, messages = corpus_build
    basename = Path(name).name
    # The file name with its folder where the message has a path, so that
    # posts/no-title.md is not satisfied by a message about another no-title.md.
    named = [m for m in messages if name in m or (basename in m and "/" not in m)]
    assert named, f"no warning names {name} ({BROKEN[name]}); warnings were:\n" + (
        "\n".join(messages)
    )


def _script_problems(doc, allowed_scripts: set[str]) -> list[str]:
    """Scripts other than the theme's own `src` scripts and valid JSON-LD."""
    found = []
    for script in doc.iter("script"):
        src = script.get("src")
        if src:
            if _site_path(src) not in allowed_scripts:
                found.append(f"script src={src!r}")
        elif script.get("type") == "application/ld+json":
            try:
                json.loads(script.text or "")
            except ValueError:
                found.append(f"JSON-LD that is not JSON: {script.text!r:.200}")
        else:
            found.append(f"inline script: {lxml_html.tostring(script)[:200]!r}")
    return found


def _element_problems(doc) -> list[str]:
    """Event handlers, unsafe URLs and elements that load or run other documents."""
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        if element.tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{element.tag}>")
        refresh = (element.get("http-equiv") or "").lower() == "refresh"
        if element.tag == "meta" and refresh:
            found.append("meta refresh")
        for attribute, value in element.attrib.items():
            # Browsers ignore whitespace and control characters in a scheme.
            compact = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
            if attribute.lower().startswith("on") or compact.startswith(UNSAFE_SCHEMES):
                found.append(f"<{element.tag} {attribute}={value!r}>")
    return found


def test_nothing_executable_reaches_any_page(corpus_build, theme_scripts):
    site, _messages = corpus_build
    problems = []
    for html_file in site.html_files():
        doc = lxml_html.parse(str(html_file)).getroot()
        problems += [
            f"{html_file.relative_to(site.root)}: {thing}"
            for thing in _script_problems(doc, theme_scripts) + _element_problems(doc)
        ]
    assert problems == [], "\n".join(problems)


def test_hostile_text_is_shown_as_text(corpus_build):
    """The hostile title still reaches readers, escaped: as words, not markup."""
    site, _messages = corpus_build
    doc = site.page("posts/hostile-metadata/")
    title = " ".join(doc.xpath("string(//main//h1)").split())
    assert title.startswith('<script>alert("title")</script> Hostile'), title


def test_bad_dates_say_which_field_value_and_form(corpus_build):
    site, messages = corpus_build
    for name, field, value in (
        ("posts/bad-date.md", "Date", "the day after tomorrow"),
        ("posts/bad-modified.md", "Modified", "2026-13-45"),
    ):
        assert any(
            name in m and f"{field} {value!r}" in m and "YYYY-MM-DD HH:MM" in m
            for m in messages
        ), (name, messages)
    # A bad Modified is left out; the post itself is built.
    assert site.exists("posts/a-post-modified-on-no-real-day/")


def test_no_author_page_or_url_for_a_name_without_letters(corpus_build):
    """Such a name slugs to "": its page would be author/index.html."""
    site, _messages = corpus_build
    assert not site.exists("author/index.html")
    assert site.exists("posts/a-post-whose-authors-have-no-letters/")
    for path in site.root.rglob("*"):
        if path.suffix in {".html", ".xml", ".txt"}:
            text = path.read_text(encoding="utf-8")
            assert "author//" not in text, path.relative_to(site.root)


def test_feeds_stay_valid(corpus_build):
    site, _messages = corpus_build
    feeds = sorted(site.root.joinpath("feeds").rglob("*.xml"))
    assert feeds, "no feeds written under feeds/ (has the feeds plugin landed?)"
    titles = set()
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        name = feed.relative_to(site.root)
        assert not parsed.bozo, f"{name}: {parsed.bozo_exception}"
        titles.update(entry.get("title", "") for entry in parsed.entries)
    # The broken-but-published posts are in the feeds, cleaned, not dropped.
    assert any(t.startswith("Control") and "pasted" in t for t in titles), titles
    assert any("Hostile" in t for t in titles), titles
