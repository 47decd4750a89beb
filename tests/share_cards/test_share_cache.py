"""Cards in whole builds: byte-identical across clean builds, drawn once, and
hard-linked (or copied) from the cache into the output without ever changing it."""

from __future__ import annotations

import errno
import logging
import os
import shutil
from pathlib import Path

import pytest

from tests.harness import build_site

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
# 4 posts, a draft, a page, a series, 3 authors and the site's own card.
CARDS = 11


def cards(site) -> dict[str, bytes]:
    return {
        str(path.relative_to(site.root)): path.read_bytes()
        for path in sorted(site.root.rglob("*card.png"))
    }


def build(output, cache, content=TEST_CONTENT, **settings):
    return build_site(
        output,
        content=content,
        settings_file="publishconf.py",
        SITEURL="https://share.example",
        SHARE_CARDS_CACHE_PATH=str(cache),
        **settings,
    )


def drawn_counts(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if " cards (" in r.getMessage()]


def test_two_clean_builds_give_byte_identical_cards(tmp_path):
    first = cards(build(tmp_path / "one", tmp_path / "cache-one"))
    second = cards(build(tmp_path / "two", tmp_path / "cache-two"))
    assert len(first) == CARDS
    for card in ("card.png", "drafts/announced/card.png", "author/bo-guest/card.png"):
        assert card in first
    assert first == second
    # Each build drew every card itself, into its own cache.
    for cache in ("cache-one", "cache-two"):
        assert len(list((tmp_path / cache).glob("*.png"))) == CARDS


def test_a_card_is_drawn_again_only_when_what_it_shows_changes(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    content = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, content)
    cache = tmp_path / "cache"
    first = cards(build(tmp_path / "one", cache, content))
    # `make clean` removes the output, never the cache.
    shutil.rmtree(tmp_path / "one")
    post = content / "posts" / "bad-image.md"
    post.write_text(post.read_text().replace("is not there", "went missing"))
    second = cards(build(tmp_path / "two", cache, content))
    assert drawn_counts(caplog)[-1] == (
        f"share_cards: {CARDS} cards (1 drawn, {CARDS - 1} from the cache)"
    )
    changed = {name for name in first if first[name] != second[name]}
    assert changed == {"posts/bad-image/card.png"}


# ---- Cards in the output are hard links to the cache (or copies) ----


def cache_entries(cache) -> dict[tuple[int, int], Path]:
    """The cache's cards by file identity (device, inode)."""
    entries = {}
    for path in cache.glob("*.png"):
        stat = path.stat()
        entries[stat.st_dev, stat.st_ino] = path
    return entries


def snapshot(cache) -> dict[str, tuple[bytes, int]]:
    """Every cache entry's bytes and modification time."""
    return {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns)
        for path in cache.glob("*.png")
    }


def output_cards(site) -> list[Path]:
    return sorted(site.root.rglob("*card.png"))


def refuse_links(monkeypatch, number=errno.EXDEV) -> list[str]:
    """Make os.link fail for cards as for a cache on another filesystem; the
    cards it was asked for. (Other plugins' links, the search index's, work.)"""
    calls = []
    real_link = os.link

    def link(source, target, *args, **kwargs):
        if not str(target).endswith("card.png"):
            return real_link(source, target, *args, **kwargs)
        calls.append(str(target))
        raise OSError(number, os.strerror(number), str(source), None, str(target))

    monkeypatch.setattr(os, "link", link)
    return calls


@pytest.fixture
def hard_links(tmp_path):
    """Skip where tmp_path's filesystem has no hard links: nothing to test."""
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    try:
        os.link(probe, tmp_path / "probe-link")
    except OSError as error:
        pytest.skip(f"no hard links in {tmp_path}: {error}")
    finally:
        probe.unlink()
        (tmp_path / "probe-link").unlink(missing_ok=True)


def test_a_warm_build_links_every_card_to_its_cache_entry(tmp_path, hard_links, caplog):
    caplog.set_level(logging.INFO)
    cache = tmp_path / "cache"
    build(tmp_path / "one", cache)
    site = build(tmp_path / "two", cache)
    assert drawn_counts(caplog)[-1] == (
        f"share_cards: {CARDS} cards (0 drawn, {CARDS} from the cache)"
    )
    entries = cache_entries(cache)
    written = output_cards(site)
    assert len(written) == CARDS
    for card in written:
        stat = card.stat()
        assert (stat.st_dev, stat.st_ino) in entries, card
        assert stat.st_nlink == 3  # the cache entry and both outputs
    # Every card its own entry: no two pages share one by mistake.
    assert len({card.stat().st_ino for card in written}) == CARDS


@pytest.mark.parametrize(
    "number", [errno.EXDEV, errno.EPERM, errno.ENOTSUP], ids=errno.errorcode.get
)
def test_where_linking_fails_cards_are_copied_byte_for_byte(
    tmp_path, monkeypatch, caplog, number
):
    cache = tmp_path / "cache"
    build(tmp_path / "one", cache)  # fills the cache, linking
    calls = refuse_links(monkeypatch, number)
    caplog.set_level(logging.DEBUG, logger="pelican.plugins.share_cards")
    site = build(tmp_path / "two", cache)
    entries = {path.read_bytes() for path in cache_entries(cache).values()}
    written = output_cards(site)
    assert len(written) == CARDS
    for card in written:
        assert card.stat().st_nlink == 1, card  # a copy of its own
        assert card.read_bytes() in entries, card
    # The first refusal stands for the whole build: one try, one debug line
    # (no warning: copying is a fine way to build).
    assert len(calls) == 1
    logged = [r for r in caplog.records if "hard-link" in r.getMessage()]
    assert [r.levelno for r in logged] == [logging.DEBUG]


@pytest.mark.parametrize(
    ("before", "after"), [("link", "link"), ("link", "copy"), ("copy", "link")]
)
def test_rebuilding_into_the_same_output_never_writes_into_the_cache(
    tmp_path, hard_links, monkeypatch, before, after
):
    content = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, content)
    cache = tmp_path / "cache"
    output = tmp_path / "output"
    # As `make html` and the devserver build: into the last build's output
    # (publishconf.py empties it first).
    keep = {"DELETE_OUTPUT_DIRECTORY": False}
    with monkeypatch.context() as patch:
        if before == "copy":
            refuse_links(patch)
        site = build(output, cache, content, **keep)
    first = cards(site)
    entries = cache_entries(cache)
    for card in output_cards(site):
        stat = card.stat()
        assert ((stat.st_dev, stat.st_ino) in entries) == (before == "link"), card
    cached = snapshot(cache)
    # The card in the output changes: it is a link to (or a copy of) the
    # entry that must stay as it is.
    post = content / "posts" / "bad-image.md"
    post.write_text(post.read_text().replace("is not there", "went missing"))
    if after == "copy":
        refuse_links(monkeypatch)
    site = build(output, cache, content, **keep)
    second = cards(site)

    after_cache = snapshot(cache)
    assert {name: after_cache[name] for name in cached} == cached
    assert len(after_cache) == CARDS + 1  # the changed card, drawn anew
    changed = {name for name in first if first[name] != second[name]}
    assert changed == {"posts/bad-image/card.png"}
    new_entry = (after_cache.keys() - cached.keys()).pop()
    assert second["posts/bad-image/card.png"] == after_cache[new_entry][0]
    entries = cache_entries(cache)
    for card in output_cards(site):
        stat = card.stat()
        linked = (stat.st_dev, stat.st_ino) in entries
        assert linked == (after == "link"), card
