"""url_memo: each post's and page's URL worked out once a build, after
every other plugin, and the same as Pelican works it out."""

from __future__ import annotations

import pytest
from pelican import signals
from pelican.contents import Article, Content, Page
from url_memo import MEMO

import pelicanconf
from tests.harness import build_site
from tests.template_cache.test_template_cache import site_files


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


def test_no_url_is_worked_out_again_while_the_site_is_written(tmp_path, monkeypatch):
    worked_out = []
    url_format = Content.url_format

    def counting(self):
        if isinstance(self, (Article, Page)):
            worked_out.append(self.source_path)
        return url_format.fget(self)

    monkeypatch.setattr(Content, "url_format", property(counting))
    # Pelican asks for its writer once every generator is done: from then
    # on, templates read the posts' URLs hundreds of times.
    before_writing = []

    def mark(pelican):
        before_writing.append(len(worked_out))

    signals.get_writer.connect(mark)
    try:
        build_site(tmp_path / "site")
    finally:
        signals.get_writer.disconnect(mark)
    assert before_writing and before_writing[0] > 0
    assert worked_out[before_writing[0] :] == []


def test_a_plugin_that_moves_a_post_late_still_gets_its_new_url(tmp_path):
    """A receiver of all_generators_finalized connected before the plugin
    (here, before the build) runs first: the URL is fixed after it."""

    def move(generators):
        for generator in generators:
            for article in getattr(generator, "articles", []):
                if article.slug == "networking-theory":
                    article.slug = "moved-theory"

    signals.all_generators_finalized.connect(move)
    try:
        site = build_site(tmp_path / "site")
    finally:
        signals.all_generators_finalized.disconnect(move)
    assert site.exists("posts/moved-theory/")
    assert not site.exists("posts/networking-theory/")
    assert b"posts/moved-theory/" in site.path("").read_bytes()


@pytest.fixture
def unplugged():
    """As in a fresh process: Pelican never disconnects a plugin's receivers,
    so an earlier build in this process left this plugin's connected."""
    receivers = [
        (signals.initialized, MEMO.start),
        (signals.content_object_init, MEMO.gather),
        (signals.all_generators_finalized, MEMO.fix),
    ]
    for signal, receiver in receivers:
        signal.disconnect(receiver)
    yield
    for signal, receiver in receivers:
        signal.connect(receiver)


def test_the_site_is_the_same_without_the_plugin(tmp_path, request):
    with_memo = build_site(tmp_path / "with")
    request.getfixturevalue("unplugged")
    without = build_site(
        tmp_path / "without",
        PLUGINS=[name for name in pelicanconf.PLUGINS if name != "url_memo"],
    )
    assert site_files(with_memo) == site_files(without)
