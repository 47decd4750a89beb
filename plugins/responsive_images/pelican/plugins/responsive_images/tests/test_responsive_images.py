"""The package on its own: small sites built with Pelican, its default theme
and only this plugin, with photos made by Pillow."""

from __future__ import annotations

import hashlib
import html
import logging
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pelican.plugins.responsive_images import images, settings
from pelican_plugin_kit.testing import build_site, warnings
from pelican_plugin_kit.testing import parse_page as parse
from PIL import Image, ImageCms, ImageDraw

ORIENTATION, GPS_IFD = 0x0112, 0x8825
GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
# What a phone stores for each EXIF orientation: the upright picture turned
# the other way (the orientation says how to turn it back).
STORED_AS = {
    1: None,
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
RED = (255, 0, 0)
DEFAULT_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
INCLUDE = '{% include "responsive_images/'

POST = """Title: Photos
Date: 2026-01-01
Slug: photos

The first paragraph.

![A portrait, upright](images/portrait.jpg "A <b>caption</b> & more")

Some text, and a drawing in it ![A drawing]({static}/images/drawing.png) too.

![An animation]({static}/images/animation.gif)

![A logo](/images/logo.svg "The logo")

![Nowhere](images/nowhere.jpg)

![A moving drawing]({static}/images/moving.png)

![A broken photo]({static}/images/broken.jpg)

[The whole picture]({static}/images/portrait.jpg)

    ![In a code block](images/portrait.jpg)
"""
MISSING_LINE = 1 + POST.splitlines().index("![Nowhere](images/nowhere.jpg)")
PAGE = """Title: About

![A landscape]({static}/images/landscape.jpg)

![A small landscape]({static}/images/landscape.jpg){: width="300" }
"""


def phone_photo(path: Path, size, orientation=1) -> Path:
    """A JPEG as a phone writes one: an upright picture of `size` with a red
    top-left corner, stored turned as `orientation` says, with a GPS
    position, the camera's make and an sRGB profile."""
    upright = Image.linear_gradient("L").resize(size).convert("RGB")
    ImageDraw.Draw(upright).rectangle((0, 0, size[0] // 8, size[1] // 8), fill=RED)
    turn = STORED_AS[orientation]
    stored = upright.transpose(turn) if turn else upright
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Phone maker"
    exif[GPS_IFD] = GPS
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, "JPEG", quality=90, exif=exif, icc_profile=srgb)
    return path


def make_content(root: Path) -> Path:
    content = root / "content"
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "posts" / "photos.md").write_text(POST, encoding="utf-8")
    (content / "pages" / "about.md").write_text(PAGE, encoding="utf-8")
    pictures = content / "images"
    # Stored 1600 x 1200 with orientation 6: shown 1200 x 1600, upright.
    phone_photo(pictures / "portrait.jpg", (1200, 1600), orientation=6)
    phone_photo(pictures / "landscape.jpg", (900, 600), orientation=3)
    phone_photo(pictures / "unused.jpg", (400, 300))
    drawing = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(drawing).ellipse((50, 50, 250, 150), fill=(0, 90, 200, 255))
    drawing.save(pictures / "drawing.png")
    frames = [Image.new("P", (40, 30), colour) for colour in (1, 2)]
    frames[0].save(pictures / "animation.gif", save_all=True, append_images=frames[1:])
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "blue")]
    frames[0].save(pictures / "moving.png", save_all=True, append_images=frames[1:])
    (pictures / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a photo after all")
    (pictures / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        encoding="utf-8",
    )
    return content


def build(content: Path, output: Path, cache: Path, **override) -> Path:
    """Build `content` with this plugin and Pelican's default theme."""
    defaults = {
        "CACHE_PATH": str(cache),
        "STATIC_PATHS": ["images"],
        "RELATIVE_URLS": True,
        # Small widths keep the tests quick.
        "RESPONSIVE_IMAGES_WIDTHS": [320, 640],
    }
    return build_site(content, output, ["responsive_images"], **(defaults | override))


class Logged(logging.Handler):
    """Every message the plugin and Pelican log during a build."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The test content, built once: (content, output, cache, log)."""
    root = tmp_path_factory.mktemp("site")
    content = make_content(root)
    logged = Logged()
    logging.getLogger().addHandler(logged)
    try:
        output = build(content, root / "output", root / "cache")
    finally:
        logging.getLogger().removeHandler(logged)
    return content, output, root / "cache", logged


def urls_of(element: ET.Element) -> list[str]:
    """Every URL an <img> or <source> names (src and each srcset candidate)."""
    found = [element.get("src")] if element.get("src") else []
    for candidate in (element.get("srcset") or "").split(","):
        if candidate.strip():
            found.append(candidate.split()[0])
    return found


def served_file(output: Path, page: Path, url: str) -> Path:
    """The file a relative URL on `page` is served from."""
    path = urlsplit(url).path
    base = output if path.startswith("/") else page.parent
    return Path(os.path.normpath(base / path.lstrip("/")))


def test_a_photo_becomes_a_picture_with_widths_sizes_and_its_size(site):
    _content, output, _cache, _log = site
    page = output / "photos.html"
    document = parse(page)
    figure = document.find(".//figure")
    picture = figure.find("picture")
    (source,) = picture.findall("source")
    image = picture.find("img")
    assert source.get("type") == "image/avif"
    assert [c.split()[1] for c in source.get("srcset").split(", ")] == ["320w", "640w"]
    # The column's sizes, after entries that give 2.5x and 3x screens what
    # a 2x screen gets.
    assert source.get("sizes") == image.get("sizes")
    assert image.get("sizes") == (
        "(min-resolution: 3dppx) and (min-width: 42rem) calc(40rem * 0.6667), "
        "(min-resolution: 3dppx) calc((100vw - 2rem) * 0.6667), "
        "(min-resolution: 2.5dppx) and (min-width: 42rem) calc(40rem * 0.8), "
        "(min-resolution: 2.5dppx) calc((100vw - 2rem) * 0.8), " + DEFAULT_SIZES
    )
    # Shown 1200 x 1600 (upright); the widest copy is 640 wide.
    assert (image.get("width"), image.get("height")) == ("640", "853")
    assert image.get("alt") == "A portrait, upright"
    assert image.get("src").endswith("-640.jpg")
    assert [c.split()[1] for c in image.get("srcset").split(", ")] == ["320w", "640w"]
    assert image.get("title") is None  # the caption says it
    # The caption is text: the title's markup is not made live.
    assert figure.find("figcaption").text == "A <b>caption</b> & more"
    assert list(figure.find("figcaption")) == []
    # The first image comes first; the others wait for the reader.
    assert image.get("fetchpriority") == "high"
    assert image.get("loading") is None
    drawing = document.find(".//p/picture/img")
    assert (drawing.get("loading"), drawing.get("decoding")) == ("lazy", "async")
    # A transparent drawing keeps a PNG fallback, at its own size only.
    assert drawing.get("srcset").endswith("-300.png 300w")
    for picture in document.iter("picture"):
        for element in picture:
            for url in urls_of(element):
                assert served_file(output, page, url).is_file(), url


def test_other_images_are_lazy_and_sized_but_not_resized(site):
    _content, output, _cache, _log = site
    images_by_alt = {
        image.get("alt"): image for image in parse(output / "photos.html").iter("img")
    }
    animation = images_by_alt["An animation"]
    assert animation.get("src") == "./images/animation.gif"
    assert (animation.get("width"), animation.get("height")) == ("40", "30")
    assert animation.get("loading") == "lazy"
    # An animated PNG keeps every frame: not resized, but sized and lazy.
    moving = images_by_alt["A moving drawing"]
    assert moving.get("src") == "./images/moving.png"
    assert (moving.get("width"), moving.get("height")) == ("60", "40")
    assert moving.get("loading") == "lazy"
    logo = images_by_alt["A logo"]
    assert logo.get("src") == "/images/logo.svg"
    assert logo.get("width") is None
    figures = list(parse(output / "photos.html").iter("figure"))
    assert [f.find("figcaption").text for f in figures] == [
        "A <b>caption</b> & more",
        "The logo",
    ]


def test_a_missing_image_is_left_as_it_is_with_a_warning(site):
    content, output, _cache, log = site
    nowhere = parse(output / "photos.html").find(".//img[@alt='Nowhere']")
    assert dict(nowhere.attrib) == {"alt": "Nowhere", "src": "images/nowhere.jpg"}
    source = content / "posts" / "photos.md"
    assert any(
        "images/nowhere.jpg" in message and f"{source}:{MISSING_LINE}" in message
        for message in log.warnings()
    ), log.warnings()


def test_a_photo_pillow_cannot_read_is_left_as_it_is_with_a_warning(site):
    content, output, _cache, log = site
    broken = parse(output / "photos.html").find(".//img[@alt='A broken photo']")
    assert dict(broken.attrib) == {
        "alt": "A broken photo",
        "src": "./images/broken.jpg",
    }
    assert (output / "images" / "broken.jpg").is_file()
    assert any(
        "images/broken.jpg" in message
        and str(content / "posts" / "photos.md") in message
        and "cannot read" in message
        for message in log.warnings()
    ), log.warnings()


def test_a_link_to_a_photo_goes_to_its_widest_copy(site):
    _content, output, _cache, _log = site
    page = output / "photos.html"
    (link,) = [a for a in parse(page).iter("a") if a.text == "The whole picture"]
    assert link.get("href").endswith("-640.jpg")
    assert served_file(output, page, link.get("href")).is_file()


def test_code_is_not_touched(site):
    _content, output, _cache, _log = site
    text = (output / "photos.html").read_text(encoding="utf-8")
    assert "In a code block" in text
    assert text.count("<picture>") == 2


def test_pages_get_pictures_too(site):
    _content, output, _cache, _log = site
    image, small = parse(output / "pages" / "about.html").findall(".//picture/img")
    # Stored upside down (orientation 3), 900 x 600.
    assert (image.get("width"), image.get("height")) == ("640", "427")
    # An author's width is kept, and the browser told it is shown no wider.
    assert (small.get("width"), small.get("height")) == ("300", "200")
    assert small.get("sizes").endswith(", 300px")


@pytest.mark.parametrize(
    ("sizes", "max_density", "capped"),
    [
        ("100vw", None, "100vw"),
        (
            "100vw",
            2,
            (
                "(min-resolution: 3dppx) calc(100vw * 0.6667), "
                "(min-resolution: 2.5dppx) calc(100vw * 0.8), 100vw"
            ),
        ),
        (
            "(min-width: 50em) and (orientation: landscape) 50vw, calc(100vw - 1em)",
            1.5,
            (
                "(min-resolution: 2.25dppx) and ((min-width: 50em) and "
                "(orientation: landscape)) calc(50vw * 0.6667), "
                "(min-resolution: 2.25dppx) calc((100vw - 1em) * 0.6667), "
                "(min-resolution: 1.875dppx) and ((min-width: 50em) and "
                "(orientation: landscape)) calc(50vw * 0.8), "
                "(min-resolution: 1.875dppx) calc((100vw - 1em) * 0.8), "
                "(min-width: 50em) and (orientation: landscape) 50vw, "
                "calc(100vw - 1em)"
            ),
        ),
    ],
)
def test_the_density_cap_makes_the_column_narrower_on_dense_screens(
    sizes, max_density, capped
):
    assert settings.capped_sizes(sizes, max_density) == capped


def test_copies_carry_no_metadata_and_stand_upright(site):
    _content, output, _cache, _log = site
    copies = [
        path
        for path in (output / "images").iterdir()
        if path.suffix in (".avif", ".jpg", ".png", ".webp")
        and path.name not in ("unused.jpg", "moving.png", "broken.jpg")
    ]
    assert len(copies) == 2 * 2 + 2 + 2 * 2  # portrait, drawing, landscape
    for path in copies:
        with Image.open(path) as image:
            assert dict(image.getexif()) == {}, path
            assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(
                image.info
            ), (path, image.info.keys())
            if path.name.startswith(("portrait", "landscape")):
                if path.name.startswith("portrait"):
                    assert image.height > image.width, path
                pixels = image.convert("RGB")
                assert pixels.getpixel((3, 3)) == pytest.approx(RED, abs=40), path
                corner = (image.width - 4, image.height - 4)
                assert pixels.getpixel(corner)[1] > 100, path  # grey, not red


def test_originals_are_never_copied_and_the_rest_is(site):
    content, output, _cache, log = site
    written = {path.name for path in (output / "images").iterdir()}
    assert {"animation.gif", "moving.png", "logo.svg", "unused.jpg"} <= written
    assert not {"portrait.jpg", "landscape.jpg", "drawing.png"} & written
    originals = {
        hashlib.sha256((content / "images" / name).read_bytes()).hexdigest()
        for name in ("portrait.jpg", "landscape.jpg", "drawing.png")
    }
    for path in output.rglob("*"):
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in originals, path
    # A photo copied as it is is named if it tells where it was taken.
    unused = str(content / "images" / "unused.jpg")
    assert [m for m in log.warnings() if "GPS" in m and unused in m]


def test_a_theme_without_the_partial_is_told_once(site):
    _content, _output, _cache, log = site
    told = [message for message in log.warnings() if INCLUDE in message]
    assert len(told) == 1, told


def test_another_build_encodes_nothing(site, tmp_path, monkeypatch):
    """A second build (another theme, absolute URLs, a feed) takes every
    resized image from the cache: the same bytes, nothing encoded."""
    content, first_output, cache, _log = site
    encoded = []
    save = images.ImageCache._save
    monkeypatch.setattr(
        images.ImageCache,
        "_save",
        lambda self, *args: encoded.append(args) or save(self, *args),
    )
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "base.html").write_text(
        '{% extends "!simple/base.html" %}{% block head %}{{ super() }}'
        '{% include "responsive_images/head.html" %}{% endblock %}',
        encoding="utf-8",
    )
    output = build(
        content,
        tmp_path / "output",
        cache,
        THEME="simple",
        THEME_TEMPLATES_OVERRIDES=[str(overrides)],
        SITEURL="https://example.com/blog",
        RELATIVE_URLS=False,
        FEED_ALL_ATOM="feeds/all.atom.xml",
    )
    assert encoded == []
    first = {p.name: p.read_bytes() for p in (first_output / "images").iterdir()}
    second = {p.name: p.read_bytes() for p in (output / "images").iterdir()}
    assert first == second
    document = parse(output / "photos.html")
    source = document.find(".//picture/source")
    assert source.get("srcset").startswith("https://example.com/blog/images/portrait-")
    stylesheet = [
        link.get("href")
        for link in document.iter("link")
        if "responsive-images.css" in (link.get("href") or "")
    ]
    assert stylesheet == [
        "https://example.com/blog/theme/responsive_images/responsive-images.css"
    ]
    assert (output / "theme/responsive_images/responsive-images.css").is_file()
    # The feed gets the same pictures, with absolute URLs.
    feed = ET.parse(output / "feeds" / "all.atom.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    bodies = " ".join(
        html.unescape(entry.findtext(f"{atom}content") or "")
        for entry in feed.iter(f"{atom}entry")
    )
    assert 'srcset="https://example.com/blog/images/portrait-' in bodies
    assert "{responsive_images}" not in bodies


def test_a_changed_setting_gives_new_files(site, tmp_path):
    content, _output, cache, _log = site
    first = {p.name for p in (site[1] / "images").glob("portrait-*")}
    output = build(
        content, tmp_path / "output", cache, RESPONSIVE_IMAGES_QUALITY={"avif": 40}
    )
    second = {p.name for p in (output / "images").glob("portrait-*")}
    assert first and second and not first & second


def test_bad_settings_are_warned_about_and_replaced(tmp_path, caplog):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    phone_photo(content / "images" / "small.jpg", (700, 500))
    (content / "posts" / "post.md").write_text(
        "Title: Small\nDate: 2026-01-01\n\n![Small](images/small.jpg)\n",
        encoding="utf-8",
    )
    bad = {
        "RESPONSIVE_IMAGES_WIDTHS": "wide",
        "RESPONSIVE_IMAGES_SIZES": 42,
        "RESPONSIVE_IMAGES_MAX_DENSITY": 0.5,
        "RESPONSIVE_IMAGES_FORMATS": ["gif"],
        "RESPONSIVE_IMAGES_QUALITY": {"avif": 0},
        "RESPONSIVE_IMAGES_OUTPUT_DIR": "../outside",
        "RESPONSIVE_IMAGES_CACHE_PATH": "",
    }
    with caplog.at_level(logging.WARNING):
        output = build(content, tmp_path / "output", tmp_path / "cache", **bad)
    messages = warnings(caplog)
    for name, value in bad.items():
        assert any(
            name in m and repr(value) in m and "using the default" in m
            for m in messages
        ), (name, messages)
    # The defaults did the work: widths 480 and the photo's own 700, AVIF.
    image = parse(output / "small.html").find(".//picture/img")
    assert image.get("src").startswith("./images/small-")
    assert [c.split()[1] for c in image.get("srcset").split(", ")] == ["480w", "700w"]
    assert image.get("sizes").endswith(", " + DEFAULT_SIZES)
