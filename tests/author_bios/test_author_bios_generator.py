"""Matching profiles to Pelican's authors, at the generator level."""

import logging
import shutil
from pathlib import Path

import pytest
from pelican.generators import ArticlesGenerator
from pelican.plugins.author_bios.author_bios import (
    CONTEXT_KEY,
    DEFAULTS,
    AuthorPagesGenerator,
    attach_to_articles,
    check_settings,
)
from pelican.settings import read_settings

from tests.harness import ROOT

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"


class _Pelican:
    """The part of a Pelican object `check_settings` uses."""

    def __init__(self, settings):
        self.settings = settings


def _settings(content: Path, output: Path, **override) -> dict:
    override.update(
        PATH=str(content),
        OUTPUT_PATH=str(output),
        CACHE_CONTENT=False,
        LOAD_CONTENT_CACHE=False,
    )
    settings = read_settings(str(ROOT / "pelicanconf.py"), override=override)
    check_settings(_Pelican(settings))
    return settings


def _generators(content: Path, output: Path, **override):
    """The articles generator and ours, with their contexts generated."""
    settings = _settings(content, output, **override)
    context = settings.copy()
    context.update(
        generated_content={}, static_links=set(), static_content={}, localsiteurl=""
    )
    common = {
        "context": context,
        "settings": settings,
        "path": settings["PATH"],
        "theme": settings["THEME"],
        "output_path": str(output),
    }
    articles = ArticlesGenerator(**common)
    articles.generate_context()
    # Also connected as a signal once a build registered the plugin;
    # attaching twice is harmless, so call it to be independent of order.
    attach_to_articles(articles)
    pages = AuthorPagesGenerator(**common)
    pages.generate_context()
    return articles, pages, context


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _generators(TEST_CONTENT, tmp_path_factory.mktemp("generated"))


def _article(articles, slug):
    return next(a for a in articles.articles + articles.drafts if a.slug == slug)


def test_each_author_gets_the_profile_matching_its_slug(generated):
    articles, _, _ = generated
    co_written = _article(articles, "co-written")
    ada, bo = co_written.authors
    assert ada.profile.name == "Ada Example"
    assert ada.profile.role == "Test author"
    # Bo's profile file is bo.md: the Slug field matches it, not the file name.
    assert bo.profile.slug == "bo-sample"
    assert bo.profile.role == "Co-author"
    assert _article(articles, "unprofiled").author.profile is None
    assert _article(articles, "guest-draft").author.profile.name == "Guest Only"


def test_profile_is_plain_data_with_the_contract_fields(generated):
    articles, _, context = generated
    profile = _article(articles, "solo").author.profile
    assert context[CONTEXT_KEY]["ada-example"] is profile
    assert profile.url == "author/ada-example/"
    assert profile.website == "https://ada.example.org/"
    assert profile.location == "Testville"
    assert str(profile.bio_short) == "Writes <em>test</em> posts."
    assert "<strong>full</strong>" in profile.bio
    assert profile.avatar_url == "authors/avatars/ada-example.png"
    assert profile.initials == "AE"
    networks = [link.network for link in profile.links]
    assert networks == [
        "website", "twitter", "mastodon", "bluesky", "linkedin", "github",
        "xing", "email", "link",
    ]  # fmt: skip
    assert all(link.url.startswith(("https://", "mailto:")) for link in profile.links)
    assert profile.twitter_handle == "@ada_example"
    assert profile.fediverse_handle == "@ada@mastodon.example"
    assert "mailto:ada@example.org" not in profile.same_as


def test_schema_person_is_plain_data_for_json_ld(tmp_path):
    articles, pages, _ = _generators(
        TEST_CONTENT, tmp_path, SITEURL="https://blog.example"
    )
    ada = _article(articles, "solo").author
    assert ada.schema_person == {
        "@type": "Person",
        "name": "Ada Example",
        "url": "https://blog.example/author/ada-example/",
        "jobTitle": "Test author",
        "sameAs": ada.profile.same_as,
        "image": "https://blog.example/authors/avatars/ada-example.png",
    }
    # Without a profile: the name, and the page Pelican writes for them.
    unprofiled = _article(articles, "unprofiled").author
    assert unprofiled.schema_person == {
        "@type": "Person",
        "name": unprofiled.name,
        "url": f"https://blog.example/{unprofiled.url}",
    }
    # A guest whose only post is a draft gets their page from the plugin.
    (guest,) = pages.authors_without_posts
    assert guest.schema_person["url"] == "https://blog.example/author/guest-only/"


def test_schema_person_urls_are_root_relative_in_a_preview_build(generated):
    articles, _, _ = generated  # pelicanconf.py: SITEURL = ""
    person = _article(articles, "solo").author.schema_person
    assert person["url"] == "/author/ada-example/"
    assert person["image"] == "/authors/avatars/ada-example.png"


def test_short_bio_falls_back_to_the_first_paragraph(generated):
    articles, _, _ = generated
    bo = _article(articles, "co-written").authors[1]
    assert str(bo.profile.bio_short) == "Bo&rsquo;s bio."


def test_authors_context_gains_profiled_authors_without_posts(generated):
    articles, pages, context = generated
    listed = {author.slug: posts for author, posts in context["authors"]}
    assert listed["guest-only"] == []
    assert len(listed["ada-example"]) == 2
    assert "nobody-profiled" in listed
    assert [a.slug for a in pages.authors_without_posts] == ["guest-only"]
    # The articles generator keeps its own list, so it does not write them.
    assert "guest-only" not in {author.slug for author, _ in articles.authors}
    for author, _ in context["authors"]:
        assert hasattr(author, "profile")


def test_duplicate_profiles_have_a_deterministic_winner(generated):
    _, _, context = generated
    # ada-example.md sorts before zz-duplicate.md and wins.
    assert context[CONTEXT_KEY]["ada-example"].role == "Test author"


def test_no_profile_folder_means_no_profiles_and_no_warnings(tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(TEST_CONTENT / "posts", content / "posts")
    with caplog.at_level(logging.WARNING):
        articles, _, context = _generators(content, tmp_path / "out")
    assert context[CONTEXT_KEY] == {}
    assert _article(articles, "solo").author.profile is None
    assert not [r for r in caplog.records if "author_bios" in r.getMessage()]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AUTHORS_PROFILE_PATH", ""),
        ("AUTHORS_PROFILE_PATH", 3),
        ("AUTHORS_AVATAR_SAVE_AS", "avatars/all.png"),
    ],
)
def test_bad_settings_are_warned_about_and_replaced_by_their_default(
    tmp_path, caplog, name, value
):
    with caplog.at_level(logging.WARNING):
        settings = _settings(TEST_CONTENT, tmp_path, **{name: value})
    assert settings[name] == DEFAULTS[name]
    (warning,) = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert warning.startswith("author_bios: ")
    assert repr(value) in warning
    assert repr(DEFAULTS[name]) in warning
