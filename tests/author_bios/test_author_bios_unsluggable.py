"""An author name with no letters or digits (only markup or symbols).

Pelican slugs such a name to "" and would write its author page to
`author/index.html` and link it as `author//`. The author is left out of the
post instead, with a warning naming the post (and the profile, when a
profile has such a name); the post and the rest of the site still build.
"""

import json

import pytest
from lxml import html as lxml_html
from pelican.log import LimitFilter

from tests.harness import PUBLISHED_SITEURL, build_site, recorded_warnings

POSTS = {
    "symbols-only.md": "Title: Symbols only\nDate: 2026-03-01\nAuthor: !!!\n",
    "markup-co-author.md": (
        "Title: Markup co-author\nDate: 2026-03-02\nAuthors: Ada Example, <b></b>\n"
    ),
    "profiled-stars.md": "Title: Profiled stars\nDate: 2026-03-03\nAuthor: ***\n",
}
PROFILES = {
    "ada-example.md": "Name: Ada Example\nRole: Test author\n\nBio.\n",
    # Its name slugs to "", as the post's `***` does: the two would match.
    "stars.md": "Name: ***\nRole: Nobody nameable\n\nBio.\n",
}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The posts and profiles above, built for production; (site, warnings)."""
    root = tmp_path_factory.mktemp("unsluggable")
    for folder, files in (("posts", POSTS), ("authors", PROFILES)):
        (root / "content" / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / "content" / folder / name).write_text(f"{text}\nBody.\n")
    # Pelican drops a warning it has logged before in this process.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    with recorded_warnings() as warnings:
        site = build_site(
            root / "output",
            content=root / "content",
            settings_file="publishconf.py",
            SITEURL=PUBLISHED_SITEURL,
        )
    return site, warnings, root / "content"


@pytest.mark.parametrize(
    ("post", "name"),
    [
        ("symbols-only.md", "!!!"),
        ("markup-co-author.md", "<b></b>"),
        ("profiled-stars.md", "***"),
    ],
)
def test_warning_names_the_post_and_the_author(build, post, name):
    _site, warnings, content = build
    path = str(content / "posts" / post)
    assert any(path in w and repr(name) in w for w in warnings), warnings


def test_warning_names_the_profile_whose_name_has_no_slug(build):
    _site, warnings, content = build
    path = str(content / "authors" / "stars.md")
    assert any(path in w and "'***'" in w for w in warnings), warnings


def test_posts_still_build_without_the_author(build):
    site, _warnings, _content = build
    for slug in ("symbols-only", "markup-co-author", "profiled-stars"):
        assert site.exists(f"posts/{slug}/"), slug
    byline = site.page("posts/markup-co-author/").xpath("//p[@class='byline']")[0]
    assert [a.text for a in byline.xpath(".//a[@rel='author']")] == ["Ada Example"]
    assert "<b>" not in byline.text_content()
    # A post left with no author names nobody, rather than a name of symbols.
    lone = site.page("posts/symbols-only/").xpath("//p[@class='byline']")[0]
    assert "!!!" not in lone.text_content()
    assert not site.page("posts/profiled-stars/").xpath("//*[@class='author-boxes']")


def test_json_ld_names_only_authors_with_a_page(build):
    site, _warnings, _content = build
    doc = site.page("posts/markup-co-author/")
    [posting] = [
        json.loads(script.text)
        for script in doc.xpath("//script[@type='application/ld+json']")
    ]
    assert posting["author"] == [
        {
            "@type": "Person",
            "name": "Ada Example",
            "url": f"{PUBLISHED_SITEURL}/author/ada-example/",
            "jobTitle": "Test author",
        }
    ]


def test_no_author_page_and_no_empty_author_url_anywhere(build):
    site, _warnings, _content = build
    assert not (site.root / "author" / "index.html").exists()
    written = [p for p in site.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xml" for p in written), "no feeds were written"
    broken = [
        str(p.relative_to(site.root))
        for p in written
        if p.suffix in {".html", ".xml", ".txt", ".json"}
        and "author//" in p.read_text(encoding="utf-8")
    ]
    assert broken == []
    authors = site.page("authors/")
    hrefs = [href for href in authors.xpath("//main//a/@href") if "/author/" in href]
    assert hrefs == [f"{PUBLISHED_SITEURL}/author/ada-example/"]


def test_author_page_links_are_all_to_written_pages(build):
    site, _warnings, _content = build
    for html_file in site.html_files():
        doc = lxml_html.parse(str(html_file)).getroot()
        for href in doc.xpath("//a/@href"):
            if href.startswith(f"{PUBLISHED_SITEURL}/author/"):
                target = site.path(href.removeprefix(PUBLISHED_SITEURL))
                assert target.is_file(), (html_file, href)
