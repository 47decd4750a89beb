"""Cards in whole builds: byte-identical across clean builds, drawn once."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from tests.harness import build_site

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
# 4 posts, a draft, a page, a series, 3 authors and the site's own card.
CARDS = 11


def cards(site) -> dict[str, bytes]:
    return {
        str(path.relative_to(site.root)): path.read_bytes()
        for path in sorted(site.root.rglob("*card.png"))
    }


def build(output, cache, content=TEST_CONTENT):
    return build_site(
        output,
        content=content,
        settings_file="publishconf.py",
        SITEURL="https://share.example",
        SHARE_CARDS_CACHE_PATH=str(cache),
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
