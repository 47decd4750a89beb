"""series_nav in built sites: part lines, contents boxes, series pages."""

import logging
from pathlib import Path

import pytest

from tests.harness import build_site

DATA = Path(__file__).parent / "test_data"
THEORY = "posts/networking-theory/"
DRAFT = "drafts/social-media-job-search/"
SERIES = "series/networking-in-practice/"


def text(element) -> str:
    return " ".join(element.text_content().split())


def one(doc, xpath):
    [element] = doc.xpath(xpath)
    return element


def resolves(site, url, href):
    target = site.resolve(site.path(url), href)
    return target is not None and target.is_file()


# The real content ----------------------------------------------------------


def test_theory_post_reads_part_1_of_2(site):
    doc = site.page(THEORY)
    line = one(doc, "//header[@class='post-header']//p[@class='series-part']")
    assert text(line) == "Part 1 of 2 in Networking in practice"
    link = one(line, "a")
    assert site.resolve(site.path(THEORY), link.get("href")) == site.path(SERIES)


def test_theory_contents_box_marks_current_and_announces_guest_post(site):
    doc = site.page(THEORY)
    box = one(doc, "//nav[contains(@class, 'series-contents')]")
    assert box.get("data-series-slug") == "networking-in-practice"
    assert box.get("data-series-record") == THEORY
    items = box.xpath(".//ol/li")
    assert len(items) == 2
    current = one(items[0], "a[@aria-current='page']")
    assert site.resolve(site.path(THEORY), current.get("href")) == site.path(THEORY)
    coming = items[1]
    assert "series-upcoming" in coming.get("class")
    assert not coming.xpath(".//a"), "an announced part must not be linked"
    assert text(coming) == (
        "The campaign: finding new work through social-media networking: "
        "coming soon, by Paul Weston, running late"
    )
    # Its Series_expected (27 November 2026) has passed: no past date promised.
    assert not coming.xpath(".//time")


def test_theory_pager_names_the_coming_part_without_linking_it(site):
    doc = site.page(THEORY)
    pager = one(doc, "//nav[@class='series-pager']")
    assert not pager.xpath(".//a")
    assert text(pager).startswith("Next part The campaign: finding new work")
    assert "coming soon" in text(pager)


def test_draft_preview_gets_full_navigation(site):
    doc = site.page(DRAFT)
    assert text(one(doc, "//p[@class='series-part']")) == (
        "Part 2 of 2 in Networking in practice"
    )
    previous = one(doc, "//nav[@class='series-pager']//a[@rel='prev']")
    assert site.resolve(site.path(DRAFT), previous.get("href")) == site.path(THEORY)
    box = one(doc, "//nav[contains(@class, 'series-contents')]")
    assert box.get("data-series-record") is None  # a draft is not "read"
    current = one(box, ".//li[@aria-current='page']")
    assert "series-upcoming" in current.get("class")


def test_series_page_has_intro_status_parts_and_announced_part(site):
    doc = site.page(SERIES)
    assert text(one(doc, "//main//h1")) == "Networking in practice"
    assert text(one(doc, "//p[contains(@class, 'series-status')]")) == (
        "Ongoing · 2 parts: 1 published, 1 coming soon"
    )
    assert "A short series in two halves" in text(
        one(doc, "//*[@class='series-intro']")
    )
    published, coming = doc.xpath("//ol[contains(@class, 'series-parts')]/li")
    link = one(published, "h3/a")
    assert site.resolve(site.path(SERIES), link.get("href")) == site.path(THEORY)
    assert published.xpath(".//time/@datetime") == ["2026-11-23T09:00:00+00:00"]
    assert "Site Author" in text(published)
    assert "What networking is" in text(one(published, "p[@class='summary-text']"))
    assert not coming.xpath(".//a")
    assert "coming soon, by Paul Weston" in text(coming)
    assert doc.get("lang") == "en"


def test_series_page_links_part_authors_who_have_a_page(site):
    # series_nav passes the set of authors Pelican writes a page for.
    doc = site.page(SERIES)
    published = doc.xpath("//ol[contains(@class, 'series-parts')]/li")[0]
    [author] = published.xpath(".//p[@class='byline']/a")
    assert text(author) == "Site Author"
    assert site.resolve(site.path(SERIES), author.get("href")) == site.path(
        "author/site-author/"
    )


def test_series_list_page_is_in_the_navigation(site):
    doc = site.page("series/")
    assert text(one(doc, "//main/h1")) == "Series"
    entry = one(doc, "//main//article[contains(@class, 'series-summary')]")
    link = one(entry, "h2/a")
    assert text(link) == "Networking in practice"
    assert site.resolve(site.path("series/"), link.get("href")) == site.path(SERIES)
    assert "Ongoing · 2 parts: 1 published, 1 coming soon" in text(entry)
    current = doc.xpath("//nav[@aria-label='Site']//a[@aria-current='page']/text()")
    assert current == ["Series"]


def test_listings_show_the_part_badge(site):
    badge = one(site.page(""), "//main//p[@class='series-badge']")
    assert text(badge) == "Part 1 of 2 in Networking in practice"
    assert resolves(site, "", one(badge, "a").get("href"))


def test_series_assets_are_loaded_where_needed(site):
    for url in (THEORY, SERIES):
        scripts = site.page(url).xpath("//script[@type='module']/@src")
        assert any(
            src.split("?")[0].endswith("theme/series_nav/series-progress.js")
            for src in scripts
        )
        assert all(resolves(site, url, src) for src in scripts)
    assert not site.page("about/").xpath("//script[contains(@src, 'series')]")
    # main.css styles the series: not the plugin's stylesheet for other themes.
    assert not site.page(THEORY).xpath("//link[contains(@href, 'series_nav/')]")


def test_local_series_pages_use_relative_urls(site):
    for url, up in ((SERIES, "../../"), ("series/", "../")):
        doc = site.page(url)
        stylesheet = doc.xpath("//link[@rel='stylesheet']/@href")[0]
        assert stylesheet.split("?v=")[0] == up + "theme/css/main.css"
        assert one(doc, "//p[@class='site-title']/a").get("href") == up


def test_published_series_pages_use_absolute_urls(published_site):
    doc = published_site.page(SERIES)
    hrefs = doc.xpath("//ol[contains(@class, 'series-parts')]//h3/a/@href")
    assert hrefs == ["https://whoyouknow.example/posts/networking-theory/"]
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    assert canonical == ["https://whoyouknow.example/series/networking-in-practice/"]


# A test site: three published parts, an announced fourth, a series that
# has only an announced part, markup-like titles -------------------------


@pytest.fixture(scope="module")
def series_site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("series-site"), content=DATA / "site")


def test_middle_part_links_both_neighbours(series_site):
    url = "posts/part-two-of-three/"
    doc = series_site.page(url)
    assert text(one(doc, "//p[@class='series-part']")) == "Part 2 of 4 in Three parts"
    previous = one(doc, "//nav[@class='series-pager']//a[@rel='prev']")
    following = one(doc, "//nav[@class='series-pager']//a[@rel='next']")
    assert text(previous) == "Part one of three"
    assert text(following) == "Part three of three"
    assert series_site.resolve(series_site.path(url), following.get("href")) == (
        series_site.path("posts/part-three-of-three/")
    )


def test_markup_like_titles_and_names_are_escaped(series_site):
    for url in ("posts/part-three-of-three/", "series/three-parts/"):
        doc = series_site.page(url)
        assert not [
            s for s in doc.xpath("//script") if not s.get("src") and not s.get("type")
        ], f"{url}: a title became a script"
        assert not doc.xpath("//main//b | //main//i")
        coming = one(doc, "//li[contains(@class, 'series-upcoming')]")
        assert '<script>alert("part four")</script> & <b>bold</b> plans' in text(coming)
        assert "by Guest <i>Writer</i>" in text(coming)


def test_series_with_only_announced_parts_has_a_page_without_links(series_site):
    doc = series_site.page("series/nothing-published-yet/")
    assert "1 part: 0 published, 1 coming soon" in text(
        one(doc, "//p[contains(@class, 'series-status')]")
    )
    parts = one(doc, "//ol[contains(@class, 'series-parts')]")
    assert "coming soon, by Future Author" in text(parts)
    assert not parts.xpath(".//a")
    listing = series_site.page("series/")
    names = [text(a) for a in listing.xpath("//main//h2/a")]
    assert names == ["Nothing published yet", "Three parts"]


def test_intro_links_follow_relative_urls(series_site):
    doc = series_site.page("series/three-parts/")
    link = one(doc, "//*[@class='series-intro']//a")
    assert link.get("href") == "../../posts/part-one-of-three/"
    status = text(one(doc, "//p[contains(@class, 'series-status')]"))
    assert status == "Complete · 4 parts: 3 published, 1 coming soon"


def test_no_published_page_links_into_drafts(series_site):
    for html_file in series_site.html_files():
        relative = html_file.relative_to(series_site.root)
        if relative.parts[0] == "drafts":
            continue
        for href in series_site.page(str(relative)).xpath("//a/@href"):
            assert "drafts/" not in href, f"{relative} links to a draft: {href}"


def test_series_links_resolve(series_site):
    # Links inside the feeds and share_cards plugins' partials are theirs
    # to test.
    xpath = (
        "//*[contains(@class, 'series-')]//a"
        "[not(ancestor::*[contains(@class, 'feed-follow')])]"
        "[not(ancestor::*[@data-share])]/@href"
    )
    checked = 0
    for html_file in series_site.html_files():
        relative = str(html_file.relative_to(series_site.root))
        for href in series_site.page(relative).xpath(xpath):
            assert resolves(series_site, relative, href), f"{relative}: {href}"
            checked += 1
    assert checked > 20


def test_bad_input_builds_with_warnings_naming_files(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path / "out", content=DATA / "bad")
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for name in ("index-word.md", "dup-a.md", "case-two.md", "only-announced.md"):
        assert any(name in m for m in messages), (name, messages)
    # Our theme includes the plugins' main partials: no warning says otherwise.
    assert not [m for m in messages if "the theme does not include" in m]
    assert site.exists("series/bad-indexes/")
    assert site.exists("series/only-announced/")
    assert site.exists("posts/index-is-a-word/")


def test_pages_and_translations_in_series(tmp_path):
    site = build_site(tmp_path / "out", content=DATA / "ordering")
    page = site.page("appendix-page/")
    assert text(one(page, "//p[@class='series-part']")) == (
        "Part 3 of 6 in Ordering Test"
    )
    current = one(page, "//nav[contains(@class, 'series-contents')]//a[@aria-current]")
    assert text(current) == "Appendix page"
    french = site.page("series/ordering-test/fr/")
    assert french.get("lang") == "fr"
    assert [text(a) for a in french.xpath("//main//ol//h3/a")] == ["Premier par index"]
    link = one(site.page("posts/first/fr/"), "//p[@class='series-part']/a")
    assert site.resolve(site.path("posts/first/fr/"), link.get("href")) == (
        site.path("series/ordering-test/fr/")
    )


# A template written for pelican-series, as its README shows -----------------

PELICAN_SERIES_TEMPLATE = """\
{% for series_name, series_articles in article_series.items() -%}
article_series {{ series_name }}: {{ series_articles|join(" | ", "title") }}
{% endfor -%}
{% for series_name, series_pages in page_series.items() -%}
page_series {{ series_name }}: {{ series_pages|join(" | ", "title") }}
{% endfor -%}
{% for series_name, series_articles in series.items() -%}
series {{ series_name }}: {{ series_articles|join(" | ", "title") }}
{% endfor -%}
"""


def test_templates_written_for_pelican_series_keep_working(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "pelican_series.html").write_text(PELICAN_SERIES_TEMPLATE)
    site = build_site(
        tmp_path / "out",
        content=DATA / "ordering",
        THEME_TEMPLATES_OVERRIDES=[str(templates)],
        DIRECT_TEMPLATES=["index", "pelican_series"],
        PELICAN_SERIES_SAVE_AS="pelican-series.txt",
    )
    parts = "First by index | Second by index | Appendix page | Earlier by date"
    parts += " | Later by date"
    assert site.text("pelican-series.txt").splitlines() == [
        f"article_series Ordering Test: {parts}",
        f"page_series Ordering Test: {parts}",
        f"series Ordering Test: {parts}",
    ]
    # The series page still gets its one series as `series`.
    assert text(one(site.page("series/ordering-test/"), "//h1")) == "Ordering Test"
