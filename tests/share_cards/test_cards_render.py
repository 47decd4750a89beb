"""Drawing and caching share cards (plugins/share_cards/cards.py), without Pelican."""

import dataclasses
import hashlib
import io
import json
import logging
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from pelican.plugins.share_cards import cards
from pelican.plugins.share_cards.cards import (
    CARD_SIZE,
    DEFAULT_PALETTE,
    ELLIPSIS,
    MAX_CARD_BYTES,
    Card,
    CardAuthor,
    CardCache,
    author_names,
    draw_card,
    font_for,
    split_runs,
    title_lines,
    wrap_text,
)
from PIL import Image, ImageDraw, ImageFont

LONG_TITLE = (
    "How to build a network that outlasts your job title, your employer and "
    "even your industry: a field guide for the long haul, with worked "
    "examples, checklists and campaign stories from our guest authors"
)
ADA = CardAuthor("Ada Example", "AE", 0, None)
BO = CardAuthor("Bo Guest", "BG", 1, None)
NON_LATIN_TITLES = {
    "cyrillic": "Как заводить полезные знакомства: теория и практика",
    "greek": "Δικτύωση στην πράξη: θεωρία και εκστρατείες",
    "cjk": "人脈づくりの理論と実践 및 한국어 제목 中文标题",
    "accented": "Ça va? Déjà vu: Œuvres, naïveté, Ærø, Łódź and Şişli",
    "arabic": "بناء شبكة علاقات مهنية ناجحة",
    "hebrew": "איך לבנות רשת קשרים מקצועית",
    "korean": "한국어 제목! (네트워킹)",  # punctuation the Hangul font lacks
    "emoji": "Networking ★ → ✓ 😀",
}
NO_FONT_HAS = "\U0001f680"  # ROCKET: no shipped font has it


def png_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk_types(data: bytes) -> list[str]:
    """The chunk types of a PNG file, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    types, at = [], 8
    while at < len(data):
        (length,) = struct.unpack_from(">I", data, at)
        types.append(data[at + 4 : at + 8].decode("ascii"))
        at += 12 + length
    return types


def noise_image(path: Path, size: tuple[int, int], seed: int) -> Path:
    """A photo no compressor can shrink: every pixel random."""
    noise = random.Random(seed).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, noise).save(path)
    return path


def solid_image(path: Path, colour: str) -> Path:
    Image.new("RGB", (200, 200), colour).save(path)
    return path


def rgb_at(data: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    return png_image(data).convert("RGB").getpixel(xy)


# ---- Format, size, reproducibility ----


def test_card_is_a_png_of_1200_by_630():
    image = png_image(draw_card(Card("Networking, in theory", "Who You Know")))
    assert image.format == "PNG"
    assert image.size == CARD_SIZE == (1200, 630)


def test_noisy_photo_and_avatars_stay_within_the_size_limit(tmp_path):
    photo = noise_image(tmp_path / "photo.png", (1600, 900), seed=1)
    avatar = noise_image(tmp_path / "avatar.png", (400, 400), seed=2)
    authors = tuple(
        CardAuthor(f"Author {n}", "AN", n, avatar) for n in range(3)
    )  # three noisy avatars
    for image in (photo, None):
        card = Card(LONG_TITLE, "Who You Know", "Series", authors, image=image)
        data = draw_card(card)
        assert len(data) <= MAX_CARD_BYTES
        assert png_image(data).size == CARD_SIZE


def test_same_card_gives_the_same_bytes_twice():
    card = Card(LONG_TITLE, "Who You Know", "Part 1 of 2: Networking", (ADA, BO))
    assert draw_card(card) == draw_card(card)


def test_same_card_gives_the_same_bytes_in_another_process(tmp_path):
    avatar = solid_image(tmp_path / "avatar.png", "#c04020")
    script = (
        "import hashlib, sys\n"
        "from pathlib import Path\n"
        "from pelican.plugins.share_cards.cards import Card, CardAuthor, draw_card\n"
        f"author = CardAuthor('Ada Example', 'AE', 0, Path({str(avatar)!r}))\n"
        f"card = Card({LONG_TITLE!r}, 'Who You Know', 'Series', (author,))\n"
        "print(hashlib.sha256(draw_card(card)).hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):  # set and dict order must not shape a card
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    author = CardAuthor("Ada Example", "AE", 0, avatar)
    here = draw_card(Card(LONG_TITLE, "Who You Know", "Series", (author,)))
    assert digests == {hashlib.sha256(here).hexdigest()}


def test_cards_carry_no_metadata_chunks(tmp_path):
    photo = noise_image(tmp_path / "photo.png", (300, 200), seed=3)
    for card in (
        Card("Networking, in theory", "Who You Know", authors=(ADA,)),
        Card("Networking, in theory", "Who You Know", image=photo),
    ):
        # Only what a palette PNG needs: no tIME, tEXt, iTXt, zTXt, pHYs…
        assert set(png_chunk_types(draw_card(card))) == {"IHDR", "PLTE", "IDAT", "IEND"}


def test_background_is_the_theme_colour_exactly():
    data = draw_card(Card("Networking, in theory", "Who You Know"))
    assert rgb_at(data, (600, 615)) == (0xFD, 0xFC, 0xFA)
    assert rgb_at(data, (5, 300)) == (0x0B, 0x5C, 0xAD)  # the accent bar


# ---- Line breaking ----


def test_wrap_text_breaks_at_spaces_and_ends_a_cut_text_with_an_ellipsis():
    lines = wrap_text("aaa bbb ccc ddd eee fff", 7, 2, len)
    assert lines == ["aaa bbb", "ccc" + ELLIPSIS]
    assert wrap_text("aaa bbb ccc", 7, 2, len) == ["aaa bbb", "ccc"]


def test_wrap_text_cuts_a_word_wider_than_a_line():
    assert wrap_text("abcdefghij", 4, 3, len) == ["abcd", "efgh", "ij"]
    assert wrap_text("abcdefghijklmn", 4, 3, len) == ["abcd", "efgh", "ijk" + ELLIPSIS]


def test_wrap_text_keeps_combining_marks_with_their_letter():
    decomposed = "e\u0301" * 3  # é as e + combining acute
    assert wrap_text(decomposed, 3, 5, len) == ["e\u0301"] * 3


def test_wrap_text_breaks_between_chinese_characters():
    assert wrap_text("ab 人脈づくり", 6, 3, len) == ["ab 人脈づ", "くり"]


def test_wrap_text_drops_a_comma_before_the_ellipsis():
    assert wrap_text("aaa, bbb ccc", 5, 1, len) == ["aaa" + ELLIPSIS]


def test_long_title_wraps_in_the_card_fonts_and_ends_with_an_ellipsis():
    size, width = 56, 1024
    lines = title_lines(LONG_TITLE, width, 4, size)
    assert len(lines) == 4
    assert lines[-1].endswith(ELLIPSIS)
    font = ImageFont.truetype(str(cards.FONTS_DIR / "NotoSans-Bold.ttf"), size)
    assert all(font.getlength(line) <= width for line in lines)
    assert " ".join(lines).removesuffix(ELLIPSIS) in LONG_TITLE


def test_short_title_is_one_line_without_ellipsis():
    assert title_lines("Networking, in theory", 1024, 4, 72) == [
        "Networking, in theory"
    ]


# ---- Authors ----


def test_author_names_as_the_byline_writes_them():
    names = [CardAuthor(name, "X", 0, None) for name in ("Ada", "Bo", "Cy", "Di")]
    assert author_names(tuple(names[:1])) == "Ada"
    assert author_names(tuple(names[:2])) == "Ada & Bo"
    assert author_names(tuple(names)) == "Ada, Bo, Cy and Di"


def avatar_point(index: int) -> tuple[int, int]:
    """A point inside the index-th avatar of a text card, below its initials."""
    diameter = 76
    step = diameter * 3 // 4
    return (cards.LEFT + index * step + diameter // 2 + 8, HEIGHT_BYLINE + 26)


HEIGHT_BYLINE = CARD_SIZE[1] - 64 - 38  # the byline's centre on a text card


def test_co_written_cards_show_up_to_three_avatars():
    cy = CardAuthor("Cy Third", "CT", 2, None)
    di = CardAuthor("Di Fourth", "DF", 3, None)
    hues = DEFAULT_PALETTE.avatar_hues
    two = draw_card(Card("Networking, in theory", "Who You Know", authors=(ADA, BO)))
    four = draw_card(
        Card("Networking, in theory", "Who You Know", authors=(ADA, BO, cy, di))
    )
    assert rgb_at(two, avatar_point(0)) == Image.new("RGB", (1, 1), hues[0]).getpixel(
        (0, 0)
    )
    assert rgb_at(two, avatar_point(2)) == (0xFD, 0xFC, 0xFA)  # no third avatar
    third = rgb_at(four, avatar_point(2))
    assert third == Image.new("RGB", (1, 1), hues[2]).getpixel((0, 0))


def test_avatar_image_is_drawn_and_bad_avatars_fall_back_to_initials(tmp_path, caplog):
    red = solid_image(tmp_path / "red.jpg", "#d02020")
    svg = tmp_path / "paul.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    missing = tmp_path / "gone.png"
    hue = Image.new("RGB", (1, 1), DEFAULT_PALETTE.avatar_hues[3]).getpixel((0, 0))

    photo_card = Card("T", "S", authors=(CardAuthor("Ada", "AE", 3, red),))
    r, g, b = rgb_at(draw_card(photo_card), avatar_point(0))
    assert r > 180 and g < 70 and b < 70

    for bad in (svg, missing):
        caplog.clear()
        with caplog.at_level(
            logging.WARNING, logger="pelican.plugins.share_cards.cards"
        ):
            data = draw_card(
                Card("T", "S", authors=(CardAuthor("Paul", "PW", 3, bad),))
            )
        assert rgb_at(data, avatar_point(0)) == hue
        assert [str(bad) in record.getMessage() for record in caplog.records] == [True]


def test_unreadable_post_image_gives_a_text_card_and_a_warning(tmp_path, caplog):
    broken = tmp_path / "cover.jpg"
    broken.write_bytes(b"not a jpeg")
    card = Card("Networking, in theory", "Who You Know", image=broken, source="a.md")
    with caplog.at_level(logging.WARNING, logger="pelican.plugins.share_cards.cards"):
        data = draw_card(card)
    assert data == draw_card(dataclasses.replace(card, image=None))
    assert any(
        str(broken) in r.getMessage() and "a.md" in r.getMessage()
        for r in caplog.records
    )


# ---- Scripts and missing glyphs ----


def is_real_glyph(font_file: str, char: str) -> bool:
    """True when the font draws `char` as something other than its missing-glyph box.

    Pillow draws a character a font lacks with the font's glyph 0; compared
    with the bitmap of a code point no font has, a real glyph differs.
    """
    font = ImageFont.truetype(str(cards.FONTS_DIR / font_file), 48)
    drawn = font.getmask(char)
    missing = font.getmask("\U0010fffd")
    return (drawn.size, bytes(drawn)) != (missing.size, bytes(missing))


@pytest.mark.parametrize("script", sorted(NON_LATIN_TITLES))
def test_every_character_is_drawn_in_a_font_that_has_it(script, caplog):
    title = NON_LATIN_TITLES[script]
    for bold in (True, False):
        runs, missing = split_runs(title, bold)
        assert missing == ""
        assert "".join(run for run, _font in runs) == title
        for run, font_file in runs:
            for char in run:
                if not char.isspace():
                    assert is_real_glyph(font_file, char), (char, font_file)
    author = CardAuthor(title[:12], title[:2], 4, None)
    with caplog.at_level(logging.WARNING, logger="pelican.plugins.share_cards.cards"):
        data = draw_card(Card(title, "Who You Know", title[:20], (author,)))
    assert png_image(data).size == CARD_SIZE
    assert caplog.records == []


def test_font_choice_follows_the_fallback_order():
    assert font_for("Ж", bold=True) == "NotoSans-Bold.ttf"
    assert font_for("Ж", bold=False) == "NotoSans-Regular.ttf"
    assert font_for("ب", bold=True) == "NotoSansArabic-Regular.ttf"
    assert font_for("한", bold=True) == "NotoSansKR-Hangul-Regular.otf"
    assert font_for("中", bold=True) == "DroidSansFallbackFull.ttf"
    assert font_for("★", bold=True) == "DejaVuSans.ttf"
    assert font_for(NO_FONT_HAS, bold=True) is None
    # A space between two Arabic words stays in the Arabic run.
    assert font_for(" ", True, previous="NotoSansArabic-Regular.ttf") == (
        "NotoSansArabic-Regular.ttf"
    )


def test_a_character_no_font_has_is_left_out_with_one_warning(caplog):
    title = f"Launch {NO_FONT_HAS} day {NO_FONT_HAS}"
    runs, missing = split_runs(title, bold=True)
    assert missing == NO_FONT_HAS * 2
    assert NO_FONT_HAS not in "".join(run for run, _font in runs)
    with caplog.at_level(logging.WARNING, logger="pelican.plugins.share_cards.cards"):
        draw_card(Card(title, "Who You Know", source="posts/launch.md"))
    (record,) = caplog.records
    assert "U+1F680" in record.getMessage()
    assert "posts/launch.md" in record.getMessage()
    # The gap it leaves is closed: "Launch day", not "Launch  day".
    assert draw_card(Card(title, "Who You Know")) == draw_card(
        Card("Launch day", "Who You Know")
    )


def test_right_to_left_title_is_aligned_right():
    data = draw_card(Card(NON_LATIN_TITLES["arabic"], "Who You Know"))
    # The title's first line, right of the accent bar.
    title_band = png_image(data).convert("L").crop((cards.LEFT, 140, CARD_SIZE[0], 230))
    ink = Image.eval(title_band, lambda value: 255 if value < 128 else 0)
    left, _top, right, _bottom = (edge + cards.LEFT for edge in ink.getbbox())
    assert cards.RIGHT - 12 <= right <= cards.RIGHT + 4
    assert left > cards.LEFT + 50


# ---- The cache ----


def test_cache_draws_once_and_survives_a_new_instance(tmp_path):
    folder = tmp_path / "cache" / "cards"  # created when missing
    card = Card("Networking, in theory", "Who You Know", authors=(ADA,))
    cache = CardCache(folder)
    first = cache.png(card)
    assert cache.png(card) == first == draw_card(card)
    assert (cache.drawn, cache.reused) == (1, 1)
    assert [path.name for path in folder.iterdir()] == [f"{cache.key(card)}.png"]

    again = CardCache(folder)
    assert again.png(card) == first
    assert (again.drawn, again.reused) == (0, 1)


def test_cache_key_changes_with_what_shapes_the_card(tmp_path):
    avatar = solid_image(tmp_path / "ada.png", "#204080")
    card = Card("Networking, in theory", "Who You Know", authors=(ADA,))
    with_avatar = dataclasses.replace(
        card, authors=(dataclasses.replace(ADA, avatar=avatar),)
    )
    cache = CardCache(tmp_path / "cache")
    keys = {
        cache.key(card),
        cache.key(dataclasses.replace(card, title="Networking, in practice")),
        cache.key(dataclasses.replace(card, kicker="Series")),
        cache.key(with_avatar),
        CardCache(
            tmp_path / "cache", dataclasses.replace(DEFAULT_PALETTE, accent="#aa0000")
        ).key(card),
    }
    assert len(keys) == 5
    # Where a card comes from does not shape it.
    assert cache.key(dataclasses.replace(card, source="posts/a.md")) == cache.key(card)


def test_cache_key_follows_file_contents_not_times(tmp_path):
    avatar = solid_image(tmp_path / "ada.png", "#204080")
    card = Card("T", "S", authors=(dataclasses.replace(ADA, avatar=avatar),))
    before = CardCache(tmp_path).key(card)
    stat = avatar.stat()

    os.utime(avatar, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert CardCache(tmp_path).key(card) == before  # touched, same bytes

    solid_image(avatar, "#802040")  # same size, other colour
    os.utime(avatar, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert CardCache(tmp_path).key(card) != before


def reads(monkeypatch) -> list[str]:
    """The files read with Path.read_bytes from now on (how cards.py reads)."""
    read = []
    read_bytes = Path.read_bytes

    def recording(path):
        read.append(Path(path).name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    return read


def test_file_hashes_are_kept_so_a_build_reads_no_font_again(tmp_path, monkeypatch):
    monkeypatch.setattr(cards, "RACY_NS", 0)  # the test's files are brand new
    avatar = solid_image(tmp_path / "ada.png", "#204080")
    card = Card("T", "S", authors=(dataclasses.replace(ADA, avatar=avatar),))
    first = CardCache(tmp_path / "cache")
    key = first.key(card)
    first.save()

    read = reads(monkeypatch)
    again = CardCache(tmp_path / "cache")
    assert again.key(card) == key
    assert read == []  # not one font or image file
    again.save()
    assert read == []


def test_a_kept_hash_is_not_trusted_once_the_file_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(cards, "RACY_NS", 0)
    avatar = solid_image(tmp_path / "ada.png", "#204080")
    card = Card("T", "S", authors=(dataclasses.replace(ADA, avatar=avatar),))
    first = CardCache(tmp_path / "cache")
    before = first.key(card)
    first.save()
    stat = avatar.stat()

    solid_image(avatar, "#802040")  # same size, other colour, same mtime
    os.utime(avatar, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # Only the change time tells: where the kernel keeps it coarsely, both
    # writes may fall in one tick, so set the times again until it moves.
    while avatar.stat().st_ctime_ns == stat.st_ctime_ns:
        os.utime(avatar, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert avatar.stat().st_size == stat.st_size
    assert CardCache(tmp_path / "cache").key(card) != before


def test_a_file_changed_just_now_is_hashed_but_not_kept(tmp_path, monkeypatch):
    """It might change again within its mtime's granularity, unseen."""
    monkeypatch.setattr(cards, "RACY_NS", 10**18)  # every file is "just now"
    avatar = solid_image(tmp_path / "ada.png", "#204080")
    card = Card("T", "S", authors=(dataclasses.replace(ADA, avatar=avatar),))
    cache = CardCache(tmp_path / "cache")
    cache.key(card)
    cache.save()
    kept = json.loads((tmp_path / "cache" / cards.FILE_HASHES).read_text())
    assert kept == {}


def test_a_broken_hashes_file_is_read_as_empty(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    card = Card("T", "S")
    key = CardCache(folder).key(card)
    for broken in ("{not json", "[1, 2]", '{"x": 3}', '{"x": [1, 2, 3, 4]}'):
        (folder / cards.FILE_HASHES).write_text(broken)
        assert CardCache(folder).key(card) == key


def test_cache_file_is_readable_by_others(tmp_path):
    cache = CardCache(tmp_path)
    path = cache.path(Card("T", "S"))
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.suffix for p in tmp_path.iterdir()] == [".png"]  # no temporary left


def test_drawing_canvas_helper_is_not_needed_for_a_cached_card(tmp_path, monkeypatch):
    cache = CardCache(tmp_path)
    card = Card("T", "S")
    cache.png(card)

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew a cached card")

    monkeypatch.setattr(cards, "draw_card", no_drawing)
    monkeypatch.setattr(ImageDraw, "Draw", no_drawing)
    assert (
        CardCache(tmp_path).png(card)
        == (tmp_path / f"{cache.key(card)}.png").read_bytes()
    )


def test_cards_draw_without_raqm(monkeypatch):
    """Without libfribidi there is no raqm: Arabic comes out unshaped, not broken."""
    monkeypatch.setattr(cards, "_layout_engine", lambda: ImageFont.Layout.BASIC)
    cards._font.cache_clear()  # fonts are opened with the layout engine
    try:
        for title in NON_LATIN_TITLES.values():
            data = draw_card(Card(title, "Who You Know", "Series", (ADA,)))
            assert png_image(data).size == CARD_SIZE
    finally:
        cards._font.cache_clear()
