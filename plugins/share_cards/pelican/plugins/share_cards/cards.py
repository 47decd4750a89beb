"""Share-card images: a 1200x630 PNG per page, drawn with Pillow and cached.

No Pelican here: `share_cards.py` turns pages into `Card`s; this module draws
them. Fonts ship in `fonts/` (see fonts/README.md) so every machine draws the
same card; no system font is ever loaded.

Two layouts:

* text card: site name, kicker (e.g. "Part 1 of 2: …"), the title in large
  bold type (up to four lines, ellipsis when longer) and the authors with
  their avatars, on the theme's background with an accent bar at the left;
* image card (`Card.image`): the post's own image cropped at its centre to
  1.91:1 and scaled to 1200x630, with a band in the theme's background along
  the bottom holding the kicker, the title (up to two lines) and the authors.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import re
import struct
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps, features

logger = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)
MAX_CARD_BYTES = 300 * 1024  # WhatsApp shows no preview above this

# Bump when the drawing changes, so every cached card is drawn afresh.

FONTS_DIR = Path(__file__).parent / "fonts"
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardAuthor:
    name: str
    initials: str  # "PW", from author_bios (profile.initials)
    hue: int  # 0-5, author_bios' avatar_hue: the initials circle's colour
    avatar: Path | None = None  # a local png/jpg/gif/webp; else initials


@dataclass(frozen=True)
class Card:
    title: str  # plain text
    site_name: str
    kicker: str | None = None  # "Part 1 of 2: Networking in practice", "Author"
    authors: tuple[CardAuthor, ...] = ()
    image: Path | None = None  # the post's own image: see the module docstring
    # The content file, named in warnings. It does not shape the card, so it
    # is not part of the cache key.
    source: str | None = None


@dataclass(frozen=True)
class Palette:
    background: str
    foreground: str
    muted: str
    accent: str
    accent_foreground: str
    avatar_hues: tuple[str, ...]  # six colours, indexed by CardAuthor.hue
    avatar_foreground: str = "#ffffff"  # initials on an avatar hue


# The theme's light colours (theme/static/css/main.css: --bg, --fg, --muted,
# --accent, --accent-fg, and .author-hue-0 … .author-hue-5).
DEFAULT_PALETTE = Palette(
    background="#fdfcfa",
    foreground="#1d1f23",
    muted="#555b66",
    accent="#0b5cad",
    accent_foreground="#ffffff",
    avatar_hues=("#0b5cad", "#8a3b12", "#2f6b2f", "#6d3a9c", "#9c2f4f", "#3f5563"),
)


# ---- Fonts and the per-character fallback ----


@dataclass(frozen=True)
class Face:
    """A typeface of the fallback chain (`bold` None: faux bold, by a stroke)."""

    regular: str
    bold: str | None = None

    def file(self, bold: bool) -> str:
        return (self.bold or self.regular) if bold else self.regular


# In order of preference: a character is drawn in the first face that has it.
FACES = (
    Face("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),  # Latin, Greek, Cyrillic
    Face("NotoSansArabic-Regular.ttf"),
    Face("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    Face("DejaVuSans.ttf"),  # symbols, arrows, rarer Latin/Cyrillic, Armenian…
    Face("NotoSansKR-Hangul-Regular.otf"),  # Korean (a Hangul subset of Noto CJK)
    Face("DroidSansFallbackFull.ttf"),  # Chinese and Japanese
)
MAIN_FACE = FACES[0]

# Characters that belong to no script: they stay in the face of the character
# before them when it has them, so an Arabic or CJK phrase is one run (shaped
# and ordered as a whole) rather than broken at every space.
_NEUTRAL_CATEGORIES = ("Z", "P", "Mn", "Me", "Cf", "Sk")
# Invisible when no face has them (variation selectors, joiners): left out
# without a warning.
_IGNORABLE_CATEGORIES = ("Cf", "Mn", "Cc")


def _read_cmap(path: Path) -> frozenset[int]:
    """The code points a TrueType/OpenType font has glyphs for (cmap format 4 or 12)."""
    data = path.read_bytes()
    (num_tables,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(
            ">4sIII", data, 12 + 16 * i
        )
        tables[tag] = offset
    cmap = tables[b"cmap"]
    (num_subtables,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = {}
    for i in range(num_subtables):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        (fmt,) = struct.unpack_from(">H", data, cmap + offset)
        subtables.setdefault(fmt, cmap + offset)
        if (platform, encoding) in {(3, 10), (0, 4), (3, 1), (0, 3)}:
            subtables[(fmt, "unicode")] = cmap + offset
    covered: set[int] = set()
    if (12, "unicode") in subtables:  # full Unicode; a superset of format 4
        start = subtables[(12, "unicode")]
        (groups,) = struct.unpack_from(">I", data, start + 12)
        for i in range(groups):
            first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
            covered.update(range(first + (glyph == 0), last + 1))
        return frozenset(covered)
    start = subtables[(4, "unicode")]
    (seg_count_x2,) = struct.unpack_from(">H", data, start + 6)
    segments = seg_count_x2 // 2
    ends = struct.unpack_from(f">{segments}H", data, start + 14)
    starts = struct.unpack_from(f">{segments}H", data, start + 16 + seg_count_x2)
    deltas = struct.unpack_from(f">{segments}h", data, start + 16 + 2 * seg_count_x2)
    range_offsets_at = start + 16 + 3 * seg_count_x2
    range_offsets = struct.unpack_from(f">{segments}H", data, range_offsets_at)
    for i in range(segments):
        for char in range(starts[i], min(ends[i], 0xFFFE) + 1):
            if range_offsets[i] == 0:
                glyph = (char + deltas[i]) & 0xFFFF
            else:
                at = (
                    range_offsets_at + 2 * i + range_offsets[i] + 2 * (char - starts[i])
                )
                (glyph,) = struct.unpack_from(">H", data, at)
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                covered.add(char)
    return frozenset(covered)


# Fonts are files of this package that never change while a process runs, so
# what is read from them is kept for the life of the process.
@functools.cache
def coverage(font_file: str) -> frozenset[int]:
    """The code points a shipped font has glyphs for."""
    return _read_cmap(FONTS_DIR / font_file)


@functools.cache
def _layout_engine() -> ImageFont.Layout:
    # Raqm shapes Arabic, Hebrew and Indic text and orders it right to left;
    # without it (no libfribidi on the machine) those come out unshaped.
    if features.check("raqm"):
        return ImageFont.Layout.RAQM
    logger.warning(
        "share_cards: Pillow has no libraqm here; Arabic and Hebrew titles "
        "on cards will be drawn unshaped"
    )
    return ImageFont.Layout.BASIC


@functools.lru_cache(maxsize=64)
def _font(font_file: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(FONTS_DIR / font_file), size, layout_engine=_layout_engine()
    )


def font_for(char: str, bold: bool, previous: str | None = None) -> str | None:
    """The font file to draw `char` in (None: no shipped font has it).

    `previous` is the font of the character before, which neutral characters
    (spaces, punctuation, combining marks) keep when it has them.
    """
    code = ord(char)
    if (
        previous is not None
        and unicodedata.category(char).startswith(_NEUTRAL_CATEGORIES)
        and code in coverage(previous)
    ):
        return previous
    for face in FACES:
        font_file = face.file(bold)
        if code in coverage(font_file):
            return font_file
    return None


def split_runs(text: str, bold: bool) -> tuple[list[tuple[str, str]], str]:
    """Text as runs of (text, font file), and the characters no font has (left out)."""
    runs: list[tuple[str, str]] = []
    missing = ""
    previous = None
    for char in text:
        font_file = font_for(char, bold, previous)
        if font_file is None:
            if not unicodedata.category(char).startswith(_IGNORABLE_CATEGORIES):
                missing += char
            continue
        if runs and runs[-1][1] == font_file:
            runs[-1] = (runs[-1][0] + char, font_file)
        else:
            runs.append((char, font_file))
        previous = font_file
    return runs, missing


def _faux_bold(font_file: str, bold: bool) -> bool:
    """True when bold text falls back to a face that has no bold file."""
    return bold and any(f.regular == font_file and f.bold is None for f in FACES)


def _is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Arabic, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in {"R", "AL"}:
            return True
        if direction == "L":
            return False
    return False


def _run_direction(run: str, paragraph_rtl: bool) -> str:
    for char in run:
        direction = unicodedata.bidirectional(char)
        if direction in {"R", "AL"}:
            return "rtl"
        if direction == "L":
            return "ltr"
    return "rtl" if paragraph_rtl else "ltr"


class _Text:
    """Measures and draws lines in one size and weight, across fallback fonts."""

    def __init__(self, size: int, bold: bool):
        self.size = size
        self.bold = bold
        self.missing = ""  # characters left out, for one warning per card

    def clean(self, text: str) -> str:
        """`text` without the characters no font has (noted for the warning)."""
        runs, missing = split_runs(text, self.bold)
        self.missing += missing
        return "".join(run for run, _font_file in runs)

    def width(self, text: str) -> float:
        runs, _missing = split_runs(text, self.bold)
        return sum(_font(font, self.size).getlength(run) for run, font in runs)

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        text: str,
        *,
        x: float,
        baseline: float,
        fill: str,
        right: float | None = None,
    ) -> None:
        """Draw a line from `x`, or ending at `right` when it reads right to left."""
        runs, _missing = split_runs(text, self.bold)
        widths = [_font(font, self.size).getlength(run) for run, font in runs]
        rtl = _is_rtl(text)
        if rtl:
            # Right-to-left paragraph: runs go from right to left, and the
            # line is aligned right. Raqm orders the text inside each run.
            runs, widths = runs[::-1], widths[::-1]
            if right is not None:
                x = right - sum(widths)
        raqm = _layout_engine() == ImageFont.Layout.RAQM
        for (run, font_file), width in zip(runs, widths, strict=True):
            options = {"direction": _run_direction(run, rtl)} if raqm else {}
            if _faux_bold(font_file, self.bold):
                options["stroke_width"] = max(1, self.size // 40)
                options["stroke_fill"] = fill
            font = _font(font_file, self.size)
            draw.text((x, baseline), run, font=font, fill=fill, anchor="ls", **options)
            x += width

    def line(self, text: str, max_width: float) -> str:
        """`text` cleaned and cut to one line (ellipsis when too long)."""
        (line,) = wrap_text(self.clean(text), max_width, 1, self.width) or [""]
        return line


# ---- Line breaking ----

# Where Chinese and Japanese text may break: between any two of these.
_CJK = "\u2e80-\u2fff\u3001-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_SEGMENTS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


def _graphemes(word: str) -> list[str]:
    """`word` in pieces: never parts a letter from its combining marks."""
    pieces: list[str] = []
    for char in word:
        if pieces and unicodedata.combining(char):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _fitting(
    pieces: list[str], max_width: float, measure: Callable[[str], float]
) -> int:
    """How many of `pieces`, from the start, fit in `max_width` (at least one)."""
    count = 1
    while count < len(pieces) and measure("".join(pieces[: count + 1])) <= max_width:
        count += 1
    return count


def _wrap(
    text: str, max_width: float, max_lines: int, measure: Callable[[str], float]
) -> tuple[list[str], bool]:
    """The lines of `text`, and whether it was cut short (see wrap_text)."""
    lines: list[str] = []
    line = ""
    space = False
    for segment in _SEGMENTS.findall(" ".join(text.split())):
        if segment.isspace():
            space = bool(line)
            continue
        candidate = line + (" " if space else "") + segment
        space = False
        if measure(candidate) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        # A word too wide for a line of its own is cut between characters.
        pieces = _graphemes(segment)
        while len(pieces) > 1 and measure("".join(pieces)) > max_width:
            count = _fitting(pieces, max_width, measure)
            lines.append("".join(pieces[:count]))
            pieces = pieces[count:]
        line = "".join(pieces)
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines, False
    last = _ellipsize(lines[max_lines - 1], max_width, measure)
    return [*lines[: max_lines - 1], last], True


def wrap_text(
    text: str, max_width: float, max_lines: int, measure: Callable[[str], float]
) -> list[str]:
    """`text` broken into at most `max_lines` lines no wider than `max_width`.

    Lines break at spaces (and between Chinese or Japanese characters); a word
    wider than a line is cut between characters. When the text does not fit,
    the last line ends with an ellipsis.
    """
    return _wrap(text, max_width, max_lines, measure)[0]


def _ellipsize(line: str, max_width: float, measure: Callable[[str], float]) -> str:
    """`line` shortened until it fits with an ellipsis at its end: whole words first."""
    words = line.split(" ")
    while len(words) > 1 and measure(" ".join(words) + ELLIPSIS) > max_width:
        words.pop()
    line = " ".join(words)
    pieces = _graphemes(line)
    while len(pieces) > 1 and measure("".join(pieces) + ELLIPSIS) > max_width:
        pieces.pop()
    # "Networking, …" reads badly: no space or comma before the ellipsis.
    return "".join(pieces).rstrip(" ,;:-–—") + ELLIPSIS


def title_lines(
    title: str, max_width: float, max_lines: int, size: int, bold: bool = True
) -> list[str]:
    """The title's lines as drawn in the card's fonts at `size` pixels."""
    return wrap_text(title, max_width, max_lines, _Text(size, bold).width)


# ---- Drawing ----

WIDTH, HEIGHT = CARD_SIZE
ACCENT_BAR = 20  # the bar along the left edge of a text card
LEFT = ACCENT_BAR + 76
RIGHT = WIDTH - 80
TITLE_SIZES = (72, 64, 56, 48)  # the largest that fits the whole title wins
MAX_TITLE_LINES = 4
MAX_AVATARS = 3  # more co-authors are named, not pictured
SUPERSAMPLE = 4  # circles are drawn this many times larger, then scaled down


def author_names(authors: tuple[CardAuthor, ...]) -> str:
    """ "Ada", "Ada & Bo", "Ada, Bo and Cy": the byline as the theme writes it."""
    names = [author.name for author in authors]
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _open_image(
    path: Path, what: str, card: Card, size: tuple[int, int]
) -> Image.Image | None:
    """The image at `path` in RGB, or None (with a warning) when it cannot be read.

    `size` is the least size the card needs: a large JPEG is decoded at a
    fraction of its size, which is much faster.
    """
    try:
        with Image.open(path) as file:
            file.seek(0)  # the first frame of a GIF or animated WebP
            file.draft("RGB", size)
            image = ImageOps.exif_transpose(file)
            if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
                # Transparent parts show white, as on a page.
                image = image.convert("RGBA")
                flat = Image.new("RGBA", image.size, "#ffffff")
                image = Image.alpha_composite(flat, image)
            return image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning(
            "share_cards: cannot read %s %s for the card of %s (%s); %s",
            what,
            path,
            card.source or repr(card.title),
            error,
            "drawing initials" if what == "avatar" else "drawing a text card",
        )
        return None


def _avatar(
    author: CardAuthor,
    card: Card,
    palette: Palette,
    texts: list[_Text],
    *,
    diameter: int,
    ring: int,
) -> Image.Image:
    """An author's round avatar with a ring in the background colour, RGBA."""
    outer = (diameter + 2 * ring) * SUPERSAMPLE
    inner = diameter * SUPERSAMPLE
    tile = Image.new("RGBA", (outer, outer), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    draw.ellipse((0, 0, outer - 1, outer - 1), fill=palette.background)
    offset = ring * SUPERSAMPLE
    box = (offset, offset, offset + inner - 1, offset + inner - 1)
    photo = (
        _open_image(author.avatar, "avatar", card, (inner, inner))
        if author.avatar
        else None
    )
    if photo is not None:
        photo = ImageOps.fit(photo, (inner, inner), Image.Resampling.LANCZOS)
        mask = Image.new("L", (inner, inner), 0)
        ImageDraw.Draw(mask).ellipse((0, 0, inner - 1, inner - 1), fill=255)
        tile.paste(photo, (offset, offset), mask)
    else:
        hue = palette.avatar_hues[author.hue % len(palette.avatar_hues)]
        draw.ellipse(box, fill=hue)
        text = _Text(round(inner * 0.4), bold=True)
        texts.append(text)
        initials = text.clean(author.initials)[:3]
        width = text.width(initials)
        # Centred on the cap height of the main face, so "PW" sits mid-circle
        # (cap_top is negative: above the baseline).
        cap_top = _font(MAIN_FACE.file(True), text.size).getbbox("H", anchor="ls")[1]
        text.draw(
            draw,
            initials,
            x=offset + (inner - width) / 2,
            baseline=offset + (inner - cap_top) / 2,
            fill=palette.avatar_foreground,
        )
    return tile.resize((diameter + 2 * ring,) * 2, Image.Resampling.LANCZOS)


def _draw_byline(
    canvas: Image.Image,
    card: Card,
    palette: Palette,
    texts: list[_Text],
    *,
    x: int,
    centre_y: int,
    diameter: int,
    name_size: int,
    right: float,
) -> None:
    """The authors' avatars (overlapping, at most MAX_AVATARS) and their names."""
    if not card.authors:
        return
    ring = max(3, diameter // 20)
    step = diameter * 3 // 4  # each next avatar covers a quarter of the one before
    shown = card.authors[:MAX_AVATARS]
    # Drawn right to left so the first author's avatar lies on top.
    for index in reversed(range(len(shown))):
        tile = _avatar(shown[index], card, palette, texts, diameter=diameter, ring=ring)
        canvas.paste(
            tile, (x - ring + index * step, centre_y - diameter // 2 - ring), tile
        )
    names_x = x + (len(shown) - 1) * step + diameter + diameter // 3
    names = _Text(name_size, bold=True)
    texts.append(names)
    names.draw(
        ImageDraw.Draw(canvas),
        names.line(author_names(card.authors), right - names_x),
        x=names_x,
        baseline=centre_y + round(name_size * 0.36),
        fill=palette.foreground,
    )


def _draw_title(
    draw: ImageDraw.ImageDraw,
    card: Card,
    palette: Palette,
    texts: list[_Text],
    *,
    top: int,
    bottom: int,
    sizes: tuple[int, ...],
    max_lines: int,
) -> None:
    """The title in the largest size that shows all of it between `top` and `bottom`."""
    for size in sizes:
        line_height = round(size * 1.2)
        fits = min(max_lines, 1 + (bottom - top - size) // line_height)
        text = _Text(size, bold=True)
        lines, cut_short = _wrap(text.clean(card.title), RIGHT - LEFT, fits, text.width)
        if not cut_short:
            break
    texts.append(text)
    baseline = top + round(size * 0.95)
    for line in lines:
        text.draw(
            draw, line, x=LEFT, baseline=baseline, fill=palette.foreground, right=RIGHT
        )
        baseline += line_height


def _draw_text_card(card: Card, palette: Palette, texts: list[_Text]) -> Image.Image:
    canvas = Image.new("RGB", CARD_SIZE, palette.background)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, ACCENT_BAR - 1, HEIGHT - 1), fill=palette.accent)
    site = _Text(30, bold=False)
    texts.append(site)
    site_line = site.line(card.site_name, RIGHT - LEFT)
    site.draw(draw, site_line, x=LEFT, baseline=96, fill=palette.muted, right=RIGHT)
    title_top = 128
    if card.kicker:
        kicker = _Text(32, bold=True)
        texts.append(kicker)
        line = kicker.line(card.kicker, RIGHT - LEFT)
        kicker.draw(draw, line, x=LEFT, baseline=166, fill=palette.accent, right=RIGHT)
        title_top = 196
    avatar = 76
    byline_centre = HEIGHT - 64 - avatar // 2
    title_bottom = byline_centre - avatar // 2 - 30 if card.authors else HEIGHT - 72
    _draw_title(
        draw,
        card,
        palette,
        texts,
        top=title_top,
        bottom=title_bottom,
        sizes=TITLE_SIZES,
        max_lines=MAX_TITLE_LINES,
    )
    _draw_byline(
        canvas,
        card,
        palette,
        texts,
        x=LEFT,
        centre_y=byline_centre,
        diameter=avatar,
        name_size=32,
        right=RIGHT,
    )
    return canvas


def _draw_image_card(
    card: Card, photo: Image.Image, palette: Palette, texts: list[_Text]
) -> Image.Image:
    canvas = ImageOps.fit(photo, CARD_SIZE, Image.Resampling.LANCZOS)  # centred
    draw = ImageDraw.Draw(canvas)
    # A band along the bottom: accent rule, kicker, two title lines, byline.
    # Flat colour under the text keeps it readable on any photo.
    avatar = 44
    band_top = HEIGHT - 270 + (0 if card.kicker else 40)
    draw.rectangle((0, band_top, WIDTH - 1, HEIGHT - 1), fill=palette.background)
    draw.rectangle((0, band_top, WIDTH - 1, band_top + 7), fill=palette.accent)
    title_top = band_top + 36
    if card.kicker:
        kicker = _Text(26, bold=True)
        texts.append(kicker)
        line = kicker.line(card.kicker, RIGHT - LEFT)
        baseline = band_top + 62
        kicker.draw(
            draw, line, x=LEFT, baseline=baseline, fill=palette.accent, right=RIGHT
        )
        title_top = baseline + 18
    byline_centre = HEIGHT - 36 - avatar // 2
    title_bottom = byline_centre - avatar // 2 - 18
    _draw_title(
        draw,
        card,
        palette,
        texts,
        top=title_top,
        bottom=title_bottom,
        sizes=(44, 38),
        max_lines=2,
    )
    # The site name ends the byline row, at the right (or alone, at the left).
    site = _Text(24, bold=False)
    texts.append(site)
    site_line = site.line(card.site_name, (RIGHT - LEFT) // 2)
    site_width = site.width(site_line)
    site.draw(
        draw,
        site_line,
        x=RIGHT - site_width if card.authors else LEFT,
        baseline=byline_centre + round(24 * 0.36),
        fill=palette.muted,
    )
    _draw_byline(
        canvas,
        card,
        palette,
        texts,
        x=LEFT,
        centre_y=byline_centre,
        diameter=avatar,
        name_size=24,
        right=RIGHT - site_width - 32,
    )
    return canvas


def _exact_theme_colours(image: Image.Image, palette: Palette) -> Image.Image:
    """Put the theme's exact colours back into a quantized image's palette.

    Octree quantizing stores the average of each cluster of colours, which
    turns #fdfcfa into #fcfbf9; entries that close to a theme colour are set to
    it, so the card's background matches the page's.
    """
    theme = [
        ImageColor.getrgb(colour)
        for colour in (
            palette.background,
            palette.foreground,
            palette.muted,
            palette.accent,
            palette.accent_foreground,
            palette.avatar_foreground,
            *palette.avatar_hues,
        )
    ]
    entries = image.getpalette() or []
    for start in range(0, len(entries), 3):
        entry = entries[start : start + 3]
        for colour in theme:
            if max(abs(a - b) for a, b in zip(entry, colour, strict=True)) <= 3:
                entries[start : start + 3] = colour
                break
    image.putpalette(entries)
    return image


def _png(canvas: Image.Image, palette: Palette, photographic: bool) -> bytes:
    """`canvas` as a palette PNG within MAX_CARD_BYTES.

    Pillow writes no time or text chunks unless asked, and quantizing is
    deterministic, so the same canvas always gives the same bytes.
    """
    colours = 256
    while True:
        if photographic:
            # Median cut keeps a photo's gradients, and dithering hides the
            # steps between its colours; both cost time, so only for photos.
            # The colours are chosen on a half-size copy: four times faster.
            half = canvas.reduce(2)
            colour_map = half.quantize(colours, method=Image.Quantize.MEDIANCUT)
            colour_map = _exact_theme_colours(colour_map, palette)
            image = canvas.quantize(
                palette=colour_map, dither=Image.Dither.FLOYDSTEINBERG
            )
        else:
            image = canvas.quantize(colours, method=Image.Quantize.FASTOCTREE)
            image = _exact_theme_colours(image, palette)
        image.info.clear()
        buffer = io.BytesIO()
        # zlib level 9 makes flat cards only ~10% smaller than level 6 for
        # eight times the time; photos are the ones near the limit.
        image.save(buffer, format="PNG", compress_level=9 if photographic else 6)
        if buffer.tell() <= MAX_CARD_BYTES or colours == 2:
            return buffer.getvalue()
        colours //= 2  # a noisy photo: fewer colours until it fits


def draw_card(card: Card, palette: Palette = DEFAULT_PALETTE) -> bytes:
    """`card` as a PNG of 1200x630, at most MAX_CARD_BYTES; same card, same bytes."""
    texts: list[_Text] = []
    photo = _open_image(card.image, "image", card, CARD_SIZE) if card.image else None
    if photo is not None:
        canvas = _draw_image_card(card, photo, palette, texts)
    else:
        canvas = _draw_text_card(card, palette, texts)
    missing = "".join(dict.fromkeys("".join(text.missing for text in texts)))
    if missing:
        logger.warning(
            "share_cards: no shipped font has %s (card of %s, title %r); left out",
            " ".join(f"U+{ord(char):04X}" for char in missing),
            card.source or "a page",
            card.title,
        )
    return _png(canvas, palette, photographic=photo is not None)


# ---- The cache ----


@functools.cache
def _layout_digest() -> str:
    """A hash of this module: any change to how cards are drawn is a new key,
    with no version number to remember to raise."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@functools.cache
def _renderer_versions() -> tuple[str | None, ...]:
    # A different Pillow, FreeType or shaper may rasterise differently.
    return (
        PIL.__version__,
        features.version("freetype2"),
        features.version("raqm") if features.check("raqm") else None,
        features.version("fribidi") if features.check("raqm") else None,
        features.version("harfbuzz") if features.check("raqm") else None,
    )


def _write_replacing(path: Path, data: bytes) -> None:
    """Write `path` under a temporary name and rename it, so that an
    interrupted build never leaves half a file that a later build would trust."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would follow into the site
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Beside the cached cards: the content hash of every file that shaped them.
FILE_HASHES = "file-hashes.json"
# A file changed this recently may change again within its timestamps'
# granularity, unseen (git's "racy" entries): hashed, but not kept.
RACY_NS = 2 * 10**9


class CardCache:
    """Cards drawn only when their inputs change.

    Keyed on a hash of everything that shapes the card: its text, the image
    files' contents, the palette, the fonts, this module's code (the layout)
    and the versions of Pillow and its libraries.
    """

    def __init__(self, folder: Path, palette: Palette = DEFAULT_PALETTE):
        self.folder = Path(folder)
        self.palette = palette
        self.drawn = 0
        self.reused = 0
        # Content hashes of the files that shape cards (fonts, avatars, a
        # post's own image) by path, each with the file's size, times and
        # inode when it was read, as git's index keeps them: a file is read
        # again only when one of them changes (writing a file or setting its
        # times changes its ctime). Kept beside the cards by save(), so a
        # build reads the 8 MB of shipped fonts only when one changed.
        self._file_hashes: dict[str, list] | None = None  # read on first use
        self._unsaved = False
        self._racy: set[str] = set()  # hashed, but not to be kept
        self._shared = None  # see _shared_key

    def _hashes(self) -> dict[str, list]:
        if self._file_hashes is None:
            try:
                hashes = json.loads((self.folder / FILE_HASHES).read_text("utf-8"))
            except (OSError, ValueError):
                hashes = None
            self._file_hashes = hashes if isinstance(hashes, dict) else {}
        return self._file_hashes

    def _file_hash(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return "unreadable"
        seen = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        hashes, name = self._hashes(), str(path)
        entry = hashes.get(name)
        if not (isinstance(entry, list) and len(entry) == 5 and entry[:4] == seen):
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                return "unreadable"
            hashes[name] = entry = [*seen, digest]
            self._unsaved = True
            if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < RACY_NS:
                self._racy.add(name)
        return entry[4]

    def save(self) -> None:
        """Keep the file hashes for the next build, when any was new."""
        if not self._unsaved:
            return
        kept = {
            name: entry
            for name, entry in self._hashes().items()
            if name not in self._racy
        }
        text = json.dumps(kept, sort_keys=True)
        _write_replacing(self.folder / FILE_HASHES, text.encode("utf-8"))
        self._unsaved = False

    def _shared_key(self):
        """The hash of what shapes every card alike, worked out once."""
        if self._shared is None:
            fonts = sorted(FONTS_DIR.glob("*.[ot]tf"))
            shared = (
                _layout_digest(),
                _renderer_versions(),
                tuple((font.name, self._file_hash(font)) for font in fonts),
                self.palette,
            )
            self._shared = hashlib.sha256(repr(shared).encode())
        return self._shared.copy()

    def key(self, card: Card) -> str:
        """The hash of everything that shapes `card`'s image."""
        own = (
            card.title,
            card.site_name,
            card.kicker,
            tuple(
                (
                    author.name,
                    author.initials,
                    author.hue,
                    self._file_hash(author.avatar),
                )
                for author in card.authors
            ),
            self._file_hash(card.image),
        )
        digest = self._shared_key()
        digest.update(repr(own).encode())
        return digest.hexdigest()

    def path(self, card: Card) -> Path:
        """The cached PNG file of `card`, drawn first when it is not there yet."""
        path = self.folder / f"{self.key(card)}.png"
        if path.exists():
            self.reused += 1
            return path
        png = draw_card(card, self.palette)
        _write_replacing(path, png)
        self.drawn += 1
        return path

    def png(self, card: Card) -> bytes:
        """`card`'s PNG bytes: from the cache, or drawn and stored."""
        return self.path(card).read_bytes()
