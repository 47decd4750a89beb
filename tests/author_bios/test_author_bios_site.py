"""Whole-site tests: author boxes, author pages, the authors list, JSON-LD."""

import json
import shutil
from pathlib import Path

import pytest

from tests.harness import build_site

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
SAFE_SCHEMES = ("https:", "mailto:")


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _json_ld(doc) -> list[dict]:
    return [
        json.loads(script.text)
        for script in doc.xpath("//script[@type='application/ld+json']")
    ]


@pytest.fixture(scope="module")
def test_site(tmp_path_factory):
    """The test_data content built with the project's settings."""
    root = tmp_path_factory.mktemp("author_bios_site")
    content = root / "content"
    shutil.copytree(TEST_CONTENT, content)
    return build_site(root / "output", content=content)


def _unsafe_links(site):
    """(page, attribute value) of every link that is not https, mailto or local."""
    found = []
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        for element, _attribute, link, _pos in doc.iterlinks():
            value = link.strip().lower()
            if ":" in value.split("/", 1)[0] and not value.startswith(SAFE_SCHEMES):
                found.append((html_file.name, element.tag, link))
        for name in doc.xpath("//@*[starts-with(name(), 'on')]"):
            found.append((html_file.name, "event handler", name))
    return found


# -- The real site ---------------------------------------------------------


def test_article_has_an_author_box_for_its_author(site):
    doc = site.page("posts/networking-theory/")
    boxes = doc.xpath(
        "//footer//section[@class='author-boxes']//div[@class='author-box h-card']"
    )
    assert len(boxes) == 1
    box = boxes[0]
    name = box.xpath(".//h3/a")[0]
    assert _text(name) == "Site Author"
    assert site.resolve(site.path("posts/networking-theory/"), name.get("href")) == (
        site.path("author/site-author/")
    )
    assert box.xpath(".//svg[@aria-hidden='true']/text/text()") == ["SA"]
    assert "Placeholder" in _text(
        box.xpath(".//p[@class='author-bio-short p-note']")[0]
    )


def test_guest_author_page_exists_for_a_draft_only_author(site):
    page = "author/paul-weston/"
    assert site.exists(page)
    doc = site.page(page)
    assert _text(doc.xpath("//main//h1")[0]) == "Paul Weston"
    assert _text(doc.xpath("//main//p[@class='author-role p-job-title']")[0]) == (
        "Guest author of the networking series"
    )
    link = doc.xpath("//main//ul[@class='author-links']//a")[0]
    assert link.get("href") == "https://x.com/PaulWeston33"
    assert link.get("rel") == "me"
    assert _text(link) == "X (Twitter): @PaulWeston33"
    assert link.xpath("./svg[@aria-hidden='true']")
    assert "No published posts yet." in _text(doc.xpath("//main")[0])
    # What he has coming: the announced part, its series linked, never the draft.
    (upcoming,) = doc.xpath("//main//ul[contains(@class, 'author-upcoming')]/li")
    assert _text(upcoming).startswith(
        "The campaign: finding new work through social-media networking, "
        "part 2 of Networking in practice, running late"
    )
    (series_link,) = upcoming.xpath(".//a")
    assert site.resolve(site.path(page), series_link.get("href")) == (
        site.path("series/networking-in-practice/")
    )
    assert not [h for h in doc.xpath("//a/@href") if "drafts/" in h]
    # The draft's byline now resolves.
    draft = site.path("drafts/social-media-job-search/")
    byline = site.page("drafts/social-media-job-search/").xpath("//a[@rel='author']")
    assert site.resolve(draft, byline[0].get("href")) == site.path(page)


def test_guest_author_page_head_has_person_json_ld_and_twitter_creator(site):
    doc = site.page("author/paul-weston/")
    (person,) = _json_ld(doc)
    assert person["@context"] == "https://schema.org"
    assert person["@type"] == "Person"
    assert person["name"] == "Paul Weston"
    assert person["sameAs"] == ["https://x.com/PaulWeston33"]
    assert doc.xpath("//meta[@name='twitter:creator']/@content") == ["@PaulWeston33"]
    assert not doc.xpath("//meta[@name='fediverse:creator']")


def test_article_json_ld_names_its_author(published_site):
    doc = published_site.page("posts/networking-theory/")
    postings = [d for d in _json_ld(doc) if d.get("@type") == "BlogPosting"]
    assert len(postings) == 1
    (author,) = postings[0]["author"]
    assert author["@type"] == "Person"
    assert author["name"] == "Site Author"
    assert author["url"] == "https://whoyouknow.example/author/site-author/"


def test_authors_page_lists_everyone_with_a_profile(site):
    doc = site.page("authors/")
    names = [_text(a) for a in doc.xpath("//main//h2[@class='authors-name']/a")]
    assert names == ["Paul Weston", "Site Author"]
    counts = [_text(p) for p in doc.xpath("//main//p[@class='authors-count']")]
    assert counts == ["No published posts yet", "1 post"]


def test_site_author_page_lists_posts_grouped_by_series(site):
    doc = site.page("author/site-author/")
    assert _text(doc.xpath("//main//h1")[0]) == "Site Author"
    assert [_text(h) for h in doc.xpath("//main//h3[@class='author-series']")] == [
        "Networking in practice"
    ]
    posts = doc.xpath("//main//ul[@class='author-posts']/li/a/text()")
    assert posts == ["Networking, in theory: why who you know is only half of it"]


def test_no_page_of_the_real_site_has_an_unsafe_link(site):
    assert _unsafe_links(site) == []


# -- The test_data site: co-authors, every network, hostile input ----------


def test_co_authors_get_one_box_each_in_byline_order(test_site):
    doc = test_site.page("posts/co-written/")
    byline = [_text(a) for a in doc.xpath("//p[@class='byline']/a[@rel='author']")]
    assert byline == ["Ada Example", "Bo Sample"]
    assert _text(doc.xpath("//section[@class='author-boxes']/h2")[0]) == (
        "About the authors"
    )
    boxes = [_text(h) for h in doc.xpath("//div[@class='author-box h-card']//h3")]
    assert boxes == ["Ada Example", "Bo Sample"]


def test_author_without_profile_has_a_byline_and_no_box(test_site):
    doc = test_site.page("posts/unprofiled/")
    assert [_text(a) for a in doc.xpath("//a[@rel='author']")] == ["Nobody Profiled"]
    assert not doc.xpath("//section[@class='author-boxes']")


def test_every_network_renders_with_icon_and_accessible_name(test_site):
    doc = test_site.page("author/ada-example/")
    links = doc.xpath("//main//ul[@class='author-links']//a")
    names = [_text(a) for a in links]
    assert names == [
        "Website: ada.example.org",
        "X (Twitter): @ada_example",
        "Mastodon: @ada@mastodon.example",
        "Bluesky: @ada.bsky.social",
        "LinkedIn: in/ada-example",
        "GitHub: ada-example",
        "Xing: Ada_Example",
        "Email: ada@example.org",
        "Reading list: books.example",
    ]
    for link in links:
        assert link.get("rel") == "me"
        assert link.xpath("./svg[@aria-hidden='true']/*")
    assert doc.xpath("//meta[@name='fediverse:creator']/@content") == [
        "@ada@mastodon.example"
    ]
    (person,) = _json_ld(doc)
    assert "https://ada.example.org/" in person["sameAs"]
    assert not any(url.startswith("mailto:") for url in person["sameAs"])


def test_local_avatar_is_copied_and_used(test_site):
    doc = test_site.page("author/ada-example/")
    (img,) = doc.xpath("//header[@class='author-header']/img")
    assert img.get("alt") == ""
    target = test_site.resolve(test_site.path("author/ada-example/"), img.get("src"))
    assert target == test_site.path("authors/avatars/ada-example.png")
    assert target.read_bytes() == (TEST_CONTENT / "images" / "ada.png").read_bytes()


def test_hostile_profile_renders_nothing_executable(test_site):
    doc = test_site.page("author/hostile-profile/")
    main = doc.xpath("//main")[0]
    assert not main.xpath(".//script | .//img | .//@onclick | .//@onerror")
    # Shown as text, never as markup (the head's description included).
    text = _text(main)
    assert "<script>alert(“bio”)</script>" in text
    assert '<script>alert("role")</script>' in text
    assert "<script>alert" not in test_site.text("author/hostile-profile/")
    assert [_text(a) for a in main.xpath(".//ul[@class='author-links']//a")] == []
    assert not main.xpath(".//a[contains(@href, 'javascript')]")


def test_no_page_of_the_test_site_has_an_unsafe_link(test_site):
    assert _unsafe_links(test_site) == []


def test_initials_avatar_needs_no_request(test_site):
    doc = test_site.page("posts/co-written/")
    avatars = doc.xpath("//div[@class='author-box h-card']/*[1]")
    assert [a.tag for a in avatars] == ["img", "svg"]
    assert avatars[1].xpath("./text/text()") == ["BS"]


def test_draft_author_without_profile_or_page_is_named_without_a_link(test_site):
    doc = test_site.page("drafts/unprofiled-draft/")
    assert not doc.xpath("//p[@class='byline']/a[@rel='author']")
    names = doc.xpath("//p[@class='byline']/span[@class='author-name']/text()")
    assert names == ["Draft Nobody"]
    assert not test_site.exists("author/draft-nobody/")
    assert not doc.xpath("//section[@class='author-boxes']")
