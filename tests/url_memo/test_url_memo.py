"""url_memo: each post's and page's URL worked out once a build, after
every other plugin, and the same as Pelican works it out."""

from __future__ import annotations

import pytest
from pelican import signals
from pelican.contents import Article, Content, Page
from url_memo import MEMO
from url_memo.url_memo import FIXED_AT

import pelicanconf
from tests.harness import build_site, disconnected, tree_bytes


@pytest.fixture
def generators():
    """The generators of the next build, once they are done."""
    seen = []

    def keep(found):
        seen[:] = found

    signals.all_generators_finalized.connect(keep)
    yield seen
    signals.all_generators_finalized.disconnect(keep)


def contents(generators) -> list[Content]:
    """Every post and page of a build: published, drafts, hidden, translations
    (once each: a post is in more than one of a generator's lists)."""
    found = {}
    for generator in generators:
        for value in vars(generator).values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, (Article, Page)):
                        found[id(item)] = item
    return list(found.values())


def test_every_post_and_page_keeps_the_url_pelican_works_out(tmp_path, generators):
    build_site(tmp_path / "site")
    items = contents(generators)
    kinds = {(type(item).__name__, item.status) for item in items}
    assert {
        ("Article", "published"),
        ("Article", "draft"),
        ("Page", "published"),
        ("Page", "hidden"),
    } <= kinds
    for item in items:
        fixed = (item.override_url, item.override_save_as)
        # Take back what the plugin stored (a page's own `URL` and
        # `Save_as` metadata, as 404.md has, were there before it).
        for key in ("url", "save_as"):
            if key not in item.metadata:
                delattr(item, f"override_{key}")
        assert fixed == (item.url, item.save_as), item.source_path


def test_no_url_is_worked_out_again_once_the_generators_are_done(tmp_path, monkeypatch):
    worked_out = []
    url_format = Content.url_format

    def counting(self):
        if isinstance(self, (Article, Page)):
            worked_out.append(self.source_path)
        return url_format.fget(self)

    monkeypatch.setattr(Content, "url_format", property(counting))
    # From here on, plugins (read next, search, share cards) and then
    # templates read the posts' URLs, hundreds of times.
    done = []

    def mark(generators):
        done.append(len(worked_out))

    signals.all_generators_finalized.connect(mark)
    try:
        build_site(tmp_path / "site")
    finally:
        signals.all_generators_finalized.disconnect(mark)
    assert done and done[0] > 0
    assert worked_out[done[0] :] == []


def test_a_plugin_that_moves_a_post_late_still_gets_its_new_url(tmp_path):
    """A plugin may change a post's slug up to article_generator_finalized:
    the URL is fixed after every other receiver of it, even one connected
    after this plugin was (here, once earlier tests' builds loaded it)."""

    def move(generator):
        for article in generator.articles:
            if article.slug == "networking-theory":
                article.slug = "moved-theory"

    signals.article_generator_finalized.connect(move)
    try:
        site = build_site(tmp_path / "site")
    finally:
        signals.article_generator_finalized.disconnect(move)
    assert site.exists("posts/moved-theory/")
    assert not site.exists("posts/networking-theory/")
    assert b"posts/moved-theory/" in site.path("").read_bytes()


@pytest.fixture
def unplugged():
    """A build without the plugin really goes without (see disconnected)."""
    receivers = [
        (signals.initialized, MEMO.start),
        (signals.content_object_init, MEMO.gather),
        *((signal, MEMO.fix) for signal in FIXED_AT),
    ]
    with disconnected(*receivers):
        yield


def test_the_site_is_the_same_without_the_plugin(tmp_path, request):
    with_memo = build_site(tmp_path / "with")
    request.getfixturevalue("unplugged")
    without = build_site(
        tmp_path / "without",
        PLUGINS=[name for name in pelicanconf.PLUGINS if name != "url_memo"],
    )
    assert tree_bytes(with_memo.root) == tree_bytes(without.root)
