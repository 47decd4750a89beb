"""reading: word counts and sections read from a body, reading time and the
contents list on the theory post, and the "read next" rules on test content."""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from pelican.plugins.reading import Section, read_body
from pelican.plugins.reading.reading import DEFAULTS, ReadNext, check_settings

from tests.harness import build_site

DATA = Path(__file__).parent / "test_data"
THEORY = "posts/networking-theory/"


def test_code_blocks_forms_and_permalinks_are_not_words():
    words, sections = read_body(
        '<p>One two three.</p>\n<h2 id="a">Alpha <em>one</em>'
        '<a class="headerlink" href="#a" title="Link to this section">#</a></h2>\n'
        "<pre><code>not counted at all</code></pre>\n"
        '<form class="checklist" data-checklist="x"><p>nor these words</p></form>\n'
        '<p>It&rsquo;s <code>inline</code> code, e-mail.</p>\n<h3 id="b">Sub</h3>\n'
        '<h2 id="c">Gamma</h2>'
    )
    # One two three / Alpha one / It's inline code e-mail / Sub / Gamma
    assert words == 3 + 2 + 4 + 1 + 1
    assert sections == [
        Section("a", "Alpha one", [Section("b", "Sub")]),
        Section("c", "Gamma"),
    ]


def test_a_body_without_headings_has_no_sections():
    assert read_body("<p>Just words here.</p>") == (3, [])


def _prose_words(site, relative) -> int:
    """Words of a post's body as a reader reads them: no code, no forms."""
    body = site.page(relative).xpath("//div[contains(@class, 'post-body')]")[0]
    for skipped in body.xpath(".//pre | .//form | .//a[@class='headerlink']"):
        skipped.drop_tree()
    return len(body.text_content().split())


def test_the_theory_post_says_how_long_it_takes_to_read(site):
    minutes = math.ceil(_prose_words(site, THEORY) / 230)
    assert minutes > 1
    doc = site.page(THEORY)
    assert doc.xpath("string(//header//p[@class='reading-time'])") == (
        f"{minutes} min read"
    )
    # And in listings.
    home = site.page("")
    listed = f"//article[@class='summary'][.//a[contains(@href, '{THEORY}')]]"
    summary = home.xpath(listed)[0]
    assert summary.xpath("string(.//p[@class='reading-time'])") == f"{minutes} min read"


def test_the_theory_post_lists_its_sections(site):
    doc = site.page(THEORY)
    headings = doc.xpath("//div[contains(@class, 'post-body')]/h2")
    assert len(headings) >= 4
    expected = [("#" + h.get("id"), h.text_content().rstrip("#")) for h in headings]
    nav = doc.xpath("//nav[contains(@class, 'post-contents')]")[0]
    assert nav.get("aria-labelledby") == "post-contents-title"
    for copy in (
        "details[@class='post-contents-fold']",
        "div[@class='post-contents-open']",
    ):
        links = nav.xpath(f"./{copy}/ol/li/a")
        assert [(a.get("href"), a.text_content()) for a in links] == expected, copy
    summary = nav.xpath("string(.//summary)")
    assert " ".join(summary.split()) == f"Contents ({len(headings)} sections)"


@pytest.fixture(scope="module")
def test_site(tmp_path_factory):
    return build_site(
        tmp_path_factory.mktemp("reading"), content=DATA, SEARCH_INDEX=False
    )


def test_contents_only_from_the_set_number_of_sections(test_site, tmp_path):
    assert test_site.page("posts/alpha-one/").xpath(
        "//nav[contains(@class, 'post-contents')]"
    )
    assert not test_site.page("posts/shares-two-tags/").xpath(
        "//nav[contains(@class, 'post-contents')]"
    )
    three = build_site(
        tmp_path, content=DATA, SEARCH_INDEX=False, READING_CONTENTS_MIN_SECTIONS=3
    )
    assert three.page("posts/shares-two-tags/").xpath(
        "//nav[contains(@class, 'post-contents')]"
    )


def read_next(site, relative) -> list[tuple[str, str | None]]:
    """(title, link or None) of each "read next" item of a post."""
    items = site.page(relative).xpath("//section[@class='read-next']//li")
    found = []
    for item in items:
        title = item.xpath(".//*[contains(@class, 'read-next-title')]")[0]
        found.append((title.text_content(), title.get("href")))
    return found


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        # The announced next part first (named, not linked), then most tags
        # in common, then one tag in common, newest first; never the draft
        # that shares every tag.
        (
            "posts/alpha-one/",
            [
                ("Alpha two", None),
                ("Shares two tags", "../../posts/shares-two-tags/"),
                ("Shares one tag, newer", "../../posts/shares-one-tag-newer/"),
            ],
        ),
        # The next published part first, though "Zed" shares the tag and
        # is newer; then "Zed" (tag z); then the latest.
        (
            "posts/beta-one/",
            [
                ("Beta two", "../../posts/beta-two/"),
                ("Zed", "../../posts/zed/"),
                ("Newest", "../../posts/newest/"),
            ],
        ),
        # The last part: no next part; the posts sharing tag z, newest
        # first; then the latest.
        (
            "posts/beta-two/",
            [
                ("Zed", "../../posts/zed/"),
                ("Beta one", "../../posts/beta-one/"),
                ("Newest", "../../posts/newest/"),
            ],
        ),
        # No series, no tag in common: the latest, never itself.
        (
            "posts/newest/",
            [
                ("Shares one tag, newer", "../../posts/shares-one-tag-newer/"),
                ("Zed", "../../posts/zed/"),
                ("Beta two", "../../posts/beta-two/"),
            ],
        ),
    ],
)
def test_read_next_order(test_site, post, expected):
    assert read_next(test_site, post) == expected


def _post(name, day, tags=(), series=None):
    return SimpleNamespace(
        title=name,
        url=f"posts/{name}/",
        source_path=f"/content/posts/{name}.md",
        date=dt.datetime(2026, 1, day, tzinfo=dt.UTC),
        tags=list(tags),
        series=series,
    )


def test_ties_are_broken_by_file_path_whatever_the_input_order():
    this = _post("this", 1, ["t"])
    twins = [_post("b-twin", 5, ["t"]), _post("a-twin", 5, ["t"])]
    for published in ([this, *twins], [this, *reversed(twins)]):
        chosen = ReadNext(published, 3).for_article(this)
        assert [item.article.title for item in chosen] == ["a-twin", "b-twin"]
        assert [item.reason for item in chosen] == ["tags", "tags"]


@pytest.mark.parametrize("value", [0, -1, "3", 2.5, True])
def test_unusable_settings_are_warned_about_and_replaced_by_defaults(value, caplog):
    settings = {"READING_NEXT_COUNT": value}
    with caplog.at_level(logging.WARNING):
        check_settings(SimpleNamespace(settings=settings))
    [message] = [r.getMessage() for r in caplog.records]
    assert "READING_NEXT_COUNT" in message
    assert repr(value) in message
    assert f"using the default {DEFAULTS['READING_NEXT_COUNT']!r}" in message
    assert settings["READING_NEXT_COUNT"] == DEFAULTS["READING_NEXT_COUNT"]
